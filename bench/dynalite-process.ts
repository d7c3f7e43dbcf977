import { ensureNotesTable, startEmbeddedDynamo } from "@notes/core/embedded-dynamo";

/**
 * The benchmark's DynamoDB: an in-memory dynalite in its own process, so its CPU time never
 * lands in the process being measured. Reports its endpoint over IPC; stops when the parent goes.
 */
const tableName = process.env.NOTES_TABLE ?? "notes-bench";
const db = await startEmbeddedDynamo();
await ensureNotesTable(db.endpoint, tableName);

let stopping = false;
async function stop() {
  if (stopping) return;
  stopping = true;
  await db.close();
  process.exit(0);
}
process.on("disconnect", () => void stop());
process.on("SIGTERM", () => void stop());
process.send!({ endpoint: db.endpoint, tableName });
