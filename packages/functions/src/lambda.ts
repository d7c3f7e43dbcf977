// First: stack traces of every module below are mapped to TypeScript when printed.
import "./bundle/stack-traces.ts";
import { cognitoVerifierFromEnv } from "./auth.ts";
import { createNotesYoga } from "./graphql/yoga.ts";
import { createLambdaHandler } from "./http/lambda.ts";
import { flagFromEnv } from "./env-flag.ts";

// The one Lambda. Everything at module level runs once per cold start, not per request.

/** "true"/"false" (or 1/0); unset is undefined; anything else stops the cold start loudly. */
const flagEnv = (name: string) => flagFromEnv(process.env, name);

// Protected stages (staging, prod) hide the schema unless INTROSPECTION/GRAPHIQL say otherwise.
const protectedStage = flagEnv("PROTECTED_STAGE") ?? false;

const yoga = createNotesYoga({
  verifyAuthorization: cognitoVerifierFromEnv(),
  protectedStage,
  introspection: flagEnv("INTROSPECTION") ?? !protectedStage,
  graphiql: flagEnv("GRAPHIQL") ?? !protectedStage,
  trustedDocumentsOnly: flagEnv("TRUSTED_DOCUMENTS_ONLY") ?? false,
});

export const handler = createLambdaHandler(yoga);
