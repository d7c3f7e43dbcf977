import { sessionFromToken, type Session } from "./session.ts";

export interface CognitoSettings {
  region: string;
  clientId: string;
}

interface InitiateAuthResponse {
  AuthenticationResult?: { IdToken?: string };
  ChallengeName?: string;
}

const CHALLENGE_MESSAGES: Record<string, string> = {
  NEW_PASSWORD_REQUIRED: "This account must set a new password before it can sign in.",
  SOFTWARE_TOKEN_MFA: "This account uses multi-factor sign-in, which this app does not support yet.",
  SMS_MFA: "This account uses multi-factor sign-in, which this app does not support yet.",
};

const ERROR_MESSAGES: Record<string, string> = {
  NotAuthorizedException: "Incorrect email or password.",
  UserNotConfirmedException: "Confirm your email address before signing in.",
  PasswordResetRequiredException: "Your password must be reset before you can sign in.",
  TooManyRequestsException: "Too many attempts. Wait a moment and try again.",
};

/**
 * Amazon Cognito's InitiateAuth (USER_PASSWORD_AUTH) with the pool's public app client; the
 * ID token's `aud` is the client id the API checks.
 */
export async function signInWithCognito(
  settings: CognitoSettings,
  email: string,
  password: string,
): Promise<Session> {
  let response: Response;
  try {
    response = await fetch(`https://cognito-idp.${settings.region}.amazonaws.com/`, {
      method: "POST",
      headers: {
        "content-type": "application/x-amz-json-1.1",
        "x-amz-target": "AWSCognitoIdentityProviderService.InitiateAuth",
      },
      body: JSON.stringify({
        AuthFlow: "USER_PASSWORD_AUTH",
        ClientId: settings.clientId,
        AuthParameters: { USERNAME: email, PASSWORD: password },
      }),
    });
  } catch {
    throw new Error("Could not reach the sign-in service. Check your connection and try again.");
  }
  const body = (await response.json().catch(() => ({}))) as InitiateAuthResponse & { __type?: string };
  if (!response.ok) {
    const type = (body.__type ?? "").split("#").pop() ?? "";
    throw new Error(ERROR_MESSAGES[type] ?? `Sign-in failed (${type || `HTTP ${response.status}`}).`);
  }
  if (body.ChallengeName) {
    throw new Error(CHALLENGE_MESSAGES[body.ChallengeName] ?? `Sign-in needs a step this app does not support (${body.ChallengeName}).`);
  }
  const idToken = body.AuthenticationResult?.IdToken;
  if (!idToken) throw new Error("Sign-in failed: no token was returned.");
  return sessionFromToken(idToken);
}
