import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from "aws-lambda";
import { execute, parse, type DocumentNode } from "graphql";
import { cognitoVerifierFromEnv } from "@notes/functions/auth";
import { schema } from "@notes/functions/graphql/schema";

/**
 * A layer of `npm run bench -- --layers`, not a server: the floor's token verification plus
 * GraphQL execution by graphql-js on the product's Pothos schema, parsed documents cached,
 * no validation, no plugins, no HTTP semantics. What executing the schema itself costs.
 */
const verifyAuthorization = cognitoVerifierFromEnv();
const documents = new Map<string, DocumentNode>();

export async function handler(event: APIGatewayProxyEventV2): Promise<APIGatewayProxyStructuredResultV2> {
  const caller = await verifyAuthorization(event.headers.authorization ?? null);
  const { query, variables, operationName } = JSON.parse(event.body ?? "{}") as {
    query: string;
    variables?: Record<string, unknown>;
    operationName?: string;
  };
  let document = documents.get(query);
  if (!document) documents.set(query, (document = parse(query)));
  const result = await execute({
    schema,
    document,
    variableValues: variables,
    operationName,
    contextValue: { caller, requestId: event.requestContext.requestId },
  });
  return {
    statusCode: 200,
    headers: { "content-type": "application/graphql-response+json; charset=utf-8" },
    body: JSON.stringify(result),
  };
}
