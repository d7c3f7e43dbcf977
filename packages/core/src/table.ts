import type { CreateTableCommandInput } from "@aws-sdk/client-dynamodb";

/** Key schema of the notes table; the SST Storage stack declares the same keys. */
export const notesTableKeys = { partitionKey: "userId", sortKey: "noteId" } as const;

/** The longest `sub` the API accepts from a token (functions/src/auth.ts). */
export const MAX_USER_ID_CHARS = 256;

/**
 * A partition key outside every user's note partition, which no caller can name: `kind/part/…/`
 * padded with "~" past the longest user id, so no token's `sub` is ever equal to it and listing a
 * user's notes (a Query on `userId = <sub>`) never meets it. Keeps pending uploads, the search
 * index, WebSocket connections and any other table-wide record apart. One-to-one as long as no
 * part but the first holds a "/" (the first may, e.g. a user id: the "/"s after it end it).
 */
export function reservedPartition(kind: string, ...parts: string[]): string {
  return `${kind}/${parts.map((part) => `${part}/`).join("")}`.padEnd(MAX_USER_ID_CHARS + 8, "~");
}

/** CreateTable input for the local server and the tests (on-demand, like the deployed table). */
export function notesTableDefinition(tableName: string): CreateTableCommandInput {
  return {
    TableName: tableName,
    BillingMode: "PAY_PER_REQUEST",
    AttributeDefinitions: [
      { AttributeName: notesTableKeys.partitionKey, AttributeType: "S" },
      { AttributeName: notesTableKeys.sortKey, AttributeType: "S" },
    ],
    KeySchema: [
      { AttributeName: notesTableKeys.partitionKey, KeyType: "HASH" },
      { AttributeName: notesTableKeys.sortKey, KeyType: "RANGE" },
    ],
  };
}
