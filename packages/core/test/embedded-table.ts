import { randomUUID } from "node:crypto";
import { configureDynamo } from "../src/dynamo.ts";
import { embeddedDynamoSettings, ensureNotesTable, startEmbeddedDynamo, type EmbeddedDynamo } from "../src/embedded-dynamo.ts";

/** An in-memory dynalite with a fresh notes table, wired into the dynamo module. */
export async function useEmbeddedTable(): Promise<EmbeddedDynamo & { tableName: string }> {
  const db = await startEmbeddedDynamo();
  const tableName = `notes-test-${randomUUID()}`;
  await ensureNotesTable(db.endpoint, tableName);
  configureDynamo(embeddedDynamoSettings(db, tableName));
  return { ...db, tableName };
}
