import { Amplify, type ResourcesConfig } from "@aws-amplify/core";
import { cognitoUserPoolsTokenProvider } from "@aws-amplify/auth/cognito";
import {
  confirmResetPassword,
  confirmSignUp,
  fetchAuthSession,
  resetPassword,
  signIn,
  signOut,
  signUp,
} from "@aws-amplify/auth";
import type { CognitoConfig } from "../config.ts";

/**
 * The app's one door to the user pool: Amplify Auth v6 (a kept Cognito client), the same code
 * against Amazon Cognito and the local cognito-local. Amplify keeps the tokens in localStorage and
 * refreshes them with the refresh token when they near expiry. @aws-amplify/auth stays at 6.13.x:
 * later releases refresh with GetTokensFromRefreshToken, which cognito-local does not have, while
 * 6.13 refreshes with InitiateAuth (REFRESH_TOKEN_AUTH), which both have.
 */

/** A signed-in user: the access token the API verifies, plus what the UI shows about it. */
export interface Session {
  accessToken: string;
  email: string;
  /** Milliseconds since the epoch, from the access token's `exp`. */
  expiresAt: number;
}

export function configureAuth(cognito: CognitoConfig): void {
  const auth: ResourcesConfig["Auth"] = {
    Cognito: {
      userPoolId: cognito.userPoolId,
      userPoolClientId: cognito.clientId,
      // Unset in AWS (Amplify derives Cognito's regional endpoint from the pool id); the emulator's URL locally.
      ...(cognito.endpoint && { userPoolEndpoint: cognito.endpoint }),
      loginWith: { email: true },
    },
  };
  // What the aws-amplify umbrella package wires up; using the two scoped packages keeps the bundle to auth alone.
  cognitoUserPoolsTokenProvider.setAuthConfig(auth);
  Amplify.configure({ Auth: auth }, { Auth: { tokenProvider: cognitoUserPoolsTokenProvider } });
}

/** The current session, refreshed first when its tokens are about to expire; null when signed out. */
export async function currentSession(options: { forceRefresh?: boolean } = {}): Promise<Session | null> {
  const { tokens } = await fetchAuthSession(options);
  if (!tokens?.accessToken) return null;
  const email = tokens.idToken?.payload.email;
  return {
    accessToken: tokens.accessToken.toString(),
    email: typeof email === "string" ? email : String(tokens.accessToken.payload.sub ?? ""),
    expiresAt: (tokens.accessToken.payload.exp ?? 0) * 1000,
  };
}

export type SignInOutcome = "signed-in" | "confirm-sign-up" | "reset-password";

export async function signInWithPassword(email: string, password: string): Promise<SignInOutcome> {
  // USER_PASSWORD_AUTH (over TLS in AWS) rather than SRP: the emulator has no SRP, and one path is what gets tested.
  const { nextStep } = await signIn({ username: email, password, options: { authFlowType: "USER_PASSWORD_AUTH" } });
  switch (nextStep.signInStep) {
    case "DONE":
      return "signed-in";
    case "CONFIRM_SIGN_UP":
      return "confirm-sign-up";
    case "RESET_PASSWORD":
      return "reset-password";
    default:
      await signOut();
      throw Object.assign(new Error(nextStep.signInStep), { name: "UnsupportedSignInStep" });
  }
}

export async function registerAccount(email: string, password: string): Promise<void> {
  await signUp({ username: email, password, options: { userAttributes: { email } } });
}

export async function confirmAccount(email: string, code: string): Promise<void> {
  await confirmSignUp({ username: email, confirmationCode: code });
}

/** Sends a reset code. An unknown address looks the same as a known one, as the deployed pool answers. */
export async function requestPasswordReset(email: string): Promise<void> {
  try {
    await resetPassword({ username: email });
  } catch (error) {
    if ((error as Error).name !== "UserNotFoundException") throw error;
  }
}

export async function setNewPassword(email: string, code: string, newPassword: string): Promise<void> {
  await confirmResetPassword({ username: email, confirmationCode: code, newPassword });
}

export async function signOutOfPool(): Promise<void> {
  await signOut();
}

/** Cognito's default password policy, which the deployed pool keeps; checked here too, as the emulator does not. */
export function passwordProblem(password: string): string | null {
  if (password.length < 8) return "Use at least 8 characters.";
  if (!/[a-z]/.test(password) || !/[A-Z]/.test(password)) return "Use both lowercase and uppercase letters.";
  if (!/[0-9]/.test(password)) return "Include at least one number.";
  if (!/[\^$*.[\]{}()?"!@#%&/\\,><':;|_~`=+\- ]/.test(password)) return "Include at least one symbol, such as ! or %.";
  return null;
}

export type AuthAction = "sign-in" | "sign-up" | "confirm" | "forgot" | "reset";

/** What the user reads for each Cognito error they can cause; anything else is said plainly with its name. */
export function describeAuthError(error: unknown, action: AuthAction): string {
  const name = (error as { name?: string }).name ?? "";
  switch (name) {
    case "NotAuthorizedException":
    case "UserNotFoundException":
      return action === "sign-in" ? "Incorrect email or password." : "This account cannot do that. Sign in again or reset your password.";
    // The emulator answers a wrong password this way; Cognito uses it for passwords its policy refuses.
    case "InvalidPasswordException":
      return action === "sign-in"
        ? "Incorrect email or password."
        : "That password is too weak: use at least 8 characters with upper- and lowercase letters, a number and a symbol.";
    case "UsernameExistsException":
      return "An account with this email already exists. Sign in, or reset your password.";
    case "UserNotConfirmedException":
      return "Confirm your email address first with the code we sent you.";
    case "CodeMismatchException":
      return "That code is not right. Check it and try again.";
    case "ExpiredCodeException":
      return "That code has expired. Ask for a new one.";
    case "AliasExistsException":
      return "This email address is already in use by another account.";
    case "InvalidParameterException":
      return "Check the email address: it does not look valid.";
    case "LimitExceededException":
    case "TooManyRequestsException":
    case "TooManyFailedAttemptsException":
    case "CodeDeliveryFailureException":
      return "Too many attempts. Wait a few minutes and try again.";
    case "PasswordResetRequiredException":
      return "Your password must be reset before you can sign in.";
    case "EmptySignInUsername":
    case "EmptySignUpUsername":
    case "EmptyResetPasswordUsername":
    case "EmptyConfirmSignUpUsername":
      return "Enter your email address.";
    case "EmptySignInPassword":
    case "EmptySignUpPassword":
    case "EmptyConfirmResetPasswordNewPassword":
      return "Enter a password.";
    case "EmptyConfirmSignUpCode":
    case "EmptyConfirmResetPasswordConfirmationCode":
      return "Enter the code from the email.";
    case "NetworkError":
      return "Could not reach the sign-in service. Check your connection and try again.";
    case "UnsupportedSignInStep":
      return "This account needs a sign-in step this app does not support yet (such as multi-factor sign-in).";
    default:
      return `Something went wrong (${name || "unknown error"}). Please try again.`;
  }
}
