import { Cognito, type StackContext } from "sst/constructs";
import { AccountRecovery, FeaturePlan } from "aws-cdk-lib/aws-cognito";
import { NagSuppressions } from "cdk-nag";
import { stageSettings } from "./stage.ts";

export function Auth({ stack }: StackContext) {
  const stage = stageSettings(stack.stage);

  const auth = new Cognito(stack, "Users", {
    login: ["email"],
    // The API verifies Cognito's JWTs itself; no AWS credentials are handed to browsers.
    identityPoolFederation: false,
    cdk: {
      userPool: {
        selfSignUpEnabled: true,
        autoVerify: { email: true },
        accountRecovery: AccountRecovery.EMAIL_ONLY,
        // Lite covers email/password sign-in, which is all this API needs, at the lowest price.
        featurePlan: FeaturePlan.LITE,
        // Cognito's own default, written out so the template states it (cdk-nag AwsSolutions-COG1).
        passwordPolicy: {
          minLength: 8,
          requireLowercase: true,
          requireUppercase: true,
          requireDigits: true,
          requireSymbols: true,
        },
        removalPolicy: stage.removalPolicy,
        deletionProtection: stage.deletionProtection,
      },
      userPoolClient: {
        // A public client (SPA, CLI): a secret could not be kept, so none is generated.
        generateSecret: false,
        authFlows: { userSrp: true, userPassword: true },
        // No hosted UI/domain exists, so CDK's default OAuth flows (implicit grant to example.com) would be dead weight.
        disableOAuth: true,
        preventUserExistenceErrors: true,
      },
    },
  });

  NagSuppressions.addResourceSuppressions(auth.cdk.userPool, [
    {
      id: "AwsSolutions-COG2",
      reason: "MFA is off by design: email and password sign-in for personal notes; users may add MFA when the product asks for it.",
    },
    {
      id: "AwsSolutions-COG3",
      reason: "Threat protection (advanced security) needs the Plus feature plan; the pool is on Lite by design (price).",
    },
  ]);

  // The client goes (or stays) with its pool, so a retained pool keeps a client whose id matches its tokens' `aud`.
  auth.cdk.userPoolClient.applyRemovalPolicy(stage.removalPolicy);

  const userPoolId = auth.userPoolId;
  const userPoolClientId = auth.userPoolClientId;
  const issuer = `https://cognito-idp.${stack.region}.${stack.urlSuffix}/${userPoolId}`;

  return { userPoolId, userPoolClientId, issuer };
}
