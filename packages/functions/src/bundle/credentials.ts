import { fromEnv } from "@aws-sdk/credential-provider-env";

/**
 * Stands in for `@aws-sdk/credential-provider-node` in the Lambda bundle (stacks/lambda-bundle.ts):
 * Lambda hands the execution role's credentials to the function in environment variables, so
 * the default chain's other providers (SSO, INI files, process, IMDS, …) never run there, yet
 * the DynamoDB client imports all of them: about 100 KB of the bundle.
 */
export const defaultProvider = (init?: Parameters<typeof fromEnv>[0]) => fromEnv(init);
