import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from "aws-lambda";
import { dynamo } from "@notes/core/dynamo";
import { cognitoVerifierSettings, createTokenVerifier } from "@notes/functions/auth";

/**
 * The cold-start floor: the same SDK client and token verification as the real handler and one
 * direct GetItem, with no GraphQL at all. Whatever a GraphQL server adds sits above this.
 */
function requiredEnv(name: string): string {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is not set`);
  return value;
}

const verifyAuthorization = createTokenVerifier(
  cognitoVerifierSettings(requiredEnv("AUTH_ISSUER"), requiredEnv("AUTH_AUDIENCE")),
);

export async function handler(event: APIGatewayProxyEventV2): Promise<APIGatewayProxyStructuredResultV2> {
  const caller = await verifyAuthorization(event.headers.authorization ?? null);
  if (!caller) return { statusCode: 401, body: "" };
  const { variables } = JSON.parse(event.body ?? "{}") as { variables?: { id?: string } };
  const { Item } = await dynamo.get({ Key: { userId: caller.id, noteId: String(variables?.id) } });
  const note = Item
    ? {
        id: Item.noteId,
        content: Item.content,
        attachment: Item.attachment ?? null,
        createdAt: Item.createdAt,
        updatedAt: Item.updatedAt,
        version: Item.version,
      }
    : null;
  return {
    statusCode: 200,
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ data: { note } }),
  };
}
