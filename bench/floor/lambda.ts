import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from "aws-lambda";
import { cognitoVerifierFromEnv } from "@notes/functions/auth";
import { getNoteDirect } from "../direct-get.ts";

/**
 * The cold-start floor: the same SDK client and token verification as the real handler and one
 * direct GetItem, with no GraphQL at all. Whatever a GraphQL server adds sits above this.
 */
const verifyAuthorization = cognitoVerifierFromEnv();

export async function handler(event: APIGatewayProxyEventV2): Promise<APIGatewayProxyStructuredResultV2> {
  const caller = await verifyAuthorization(event.headers.authorization ?? null);
  if (!caller) return { statusCode: 401, body: "" };
  const { variables } = JSON.parse(event.body ?? "{}") as { variables?: { id?: string } };
  const note = await getNoteDirect(caller.id, String(variables?.id));
  return {
    statusCode: 200,
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ data: { note } }),
  };
}
