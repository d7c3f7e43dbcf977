import { PENDING_PARTITION_KIND, UPLOAD_SORT_KEY, uploadStartedAt } from "@notes/core/attachment";
import { dynamoClient, dynamoSettings } from "@notes/core/dynamo";
import { DeleteCommand, ScanCommand } from "@aws-sdk/lib-dynamodb";

/**
 * Deletes pending-upload records started before `cutoffMs`, returning how many. The local server's
 * housekeeping only: in AWS the table's TTL drops them, and the API itself never scans.
 */
export async function removeUploadRecordsStartedBefore(cutoffMs: number): Promise<number> {
  const prefix = `${PENDING_PARTITION_KIND}/`;
  const { tableName } = dynamoSettings();
  let removed = 0;
  let exclusiveStartKey: Record<string, unknown> | undefined;
  do {
    const page = await dynamoClient().send(
      new ScanCommand({
        TableName: tableName,
        FilterExpression: "begins_with(userId, :prefix) AND noteId = :sort",
        ExpressionAttributeValues: { ":prefix": prefix, ":sort": UPLOAD_SORT_KEY },
        ProjectionExpression: "userId, noteId",
        ExclusiveStartKey: exclusiveStartKey,
      }),
    );
    for (const key of page.Items ?? []) {
      const uploadId = String(key.userId).slice(prefix.length, prefix.length + 26);
      if ((uploadStartedAt(uploadId) ?? 0) < cutoffMs) {
        await dynamoClient().send(new DeleteCommand({ TableName: tableName, Key: key }));
        removed++;
      }
    }
    exclusiveStartKey = page.LastEvaluatedKey;
  } while (exclusiveStartKey);
  return removed;
}
