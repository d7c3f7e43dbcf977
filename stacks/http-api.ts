import type { ApiCorsProps } from "sst/constructs";

/**
 * The HTTP API's routes and CORS, apart from stacks/Api.ts so the local API Gateway
 * (packages/functions/src/local/api-gateway.ts) reads the same values without loading the CDK.
 */

/** Every route goes to the one GraphQL function. */
export const GRAPHQL_ROUTES = ["POST /graphql", "GET /graphql"] as const;

/** Bearer tokens, not cookies: any origin may call, and no credentials mode is needed. */
export const HTTP_API_CORS = {
  allowOrigins: ["*"],
  allowHeaders: ["authorization", "content-type"],
  allowMethods: ["POST", "GET", "OPTIONS"],
  // Browser code may read the request id to quote it (docs/operations.md).
  exposeHeaders: ["x-request-id"],
  maxAge: "1 day",
} satisfies ApiCorsProps;
