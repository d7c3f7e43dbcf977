import { dynamo } from "@notes/core/dynamo";

/**
 * What `note(id)` boils down to without GraphQL, for the no-GraphQL contenders (the floor Lambda
 * and the bare HTTP server): one GetItem through the same DynamoDB module, mapped to the API's shape.
 */
export async function getNoteDirect(userId: string, noteId: string) {
  const { Item } = await dynamo.get({ Key: { userId, noteId } });
  return Item
    ? {
        id: Item.noteId,
        content: Item.content,
        attachment: Item.attachment ?? null,
        createdAt: Item.createdAt,
        updatedAt: Item.updatedAt,
        version: Item.version,
      }
    : null;
}
