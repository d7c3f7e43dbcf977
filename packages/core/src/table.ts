import type { CreateTableCommandInput } from "@aws-sdk/client-dynamodb";

/** Key schema of the notes table; the SST Storage stack declares the same keys. */
export const notesTableKeys = { partitionKey: "userId", sortKey: "noteId" } as const;

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
