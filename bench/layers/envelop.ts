import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from "aws-lambda";
import { cognitoVerifierFromEnv } from "@notes/functions/auth";
import { createNotesYoga } from "@notes/functions/graphql/yoga";

/**
 * A layer of `npm run bench -- --layers`, not a server: the product's yoga instance (configured
 * as src/lambda.ts configures it for a protected stage) used below its HTTP layer. Its envelop
 * runs parse and validate (both cached), the query limits, the context factory with token
 * verification, execution, the error formatter and the execution timeout; no Request or Response,
 * no request parsing, content negotiation or result processing, no request log line (yoga's
 * HTTP-level hooks).
 */
const yoga = createNotesYoga({
  verifyAuthorization: cognitoVerifierFromEnv(),
  protectedStage: true,
  introspection: false,
  graphiql: false,
});

export async function handler(event: APIGatewayProxyEventV2): Promise<APIGatewayProxyStructuredResultV2> {
  const params = JSON.parse(event.body ?? "{}") as {
    query: string;
    variables?: Record<string, unknown>;
    operationName?: string;
  };
  // The context factory reads only the Authorization header from the request.
  const request = { headers: { get: (name: string) => event.headers[name.toLowerCase()] ?? null } };
  const enveloped = yoga.getEnveloped({ request, params, requestId: event.requestContext.requestId } as never);
  const document = enveloped.parse(params.query);
  const errors = enveloped.validate(enveloped.schema, document);
  if (errors.length) return { statusCode: 400, body: JSON.stringify({ errors }) };
  const result = await enveloped.execute({
    schema: enveloped.schema,
    document,
    contextValue: await enveloped.contextFactory(),
    variableValues: params.variables,
    operationName: params.operationName,
  });
  return {
    statusCode: 200,
    headers: { "content-type": "application/graphql-response+json; charset=utf-8" },
    body: JSON.stringify(result),
  };
}
