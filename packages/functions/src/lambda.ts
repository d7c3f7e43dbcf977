import { cognitoVerifierSettings, createTokenVerifier } from "./auth.ts";
import { createNotesYoga } from "./graphql/yoga.ts";
import { createLambdaHandler } from "./http/lambda.ts";

/** The one Lambda. Everything here runs once per cold start, not per request. */
function requiredEnv(name: string): string {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is not set`);
  return value;
}

const yoga = createNotesYoga({
  verifyAuthorization: createTokenVerifier(
    cognitoVerifierSettings(requiredEnv("AUTH_ISSUER"), requiredEnv("AUTH_AUDIENCE")),
  ),
  graphiql: process.env.PROTECTED_STAGE !== "true",
});

export const handler = createLambdaHandler(yoga);
