import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { BatchWriteCommand, DynamoDBDocumentClient } from "@aws-sdk/lib-dynamodb";
import { inParallel } from "@notes/core/in-parallel";
import { monotonicFactory } from "ulid";

/** The benchmark's users and their notes, written straight into the table (not through the API). */
export interface Seeded {
  /** 25 notes: the reader of note(id) and the small side of the list comparison. */
  small: { userId: string; noteIds: string[] };
  /** A large partition: only its size differs from `small`. */
  big: { userId: string; count: number };
  /** The note every note(id) request reads (owned by `small`). */
  noteId: string;
}

const BATCH = 25;
const IN_FLIGHT = 4;

/** A document client for the benchmark's dynalite; the caller destroys it. */
export function seedClient(endpoint: string): DynamoDBDocumentClient {
  return DynamoDBDocumentClient.from(
    new DynamoDBClient({
      endpoint,
      region: "us-east-1",
      credentials: { accessKeyId: "local", secretAccessKey: "local" },
      maxAttempts: 10,
    }),
  );
}

export async function seedNotes(endpoint: string, tableName: string, bigCount: number): Promise<Seeded> {
  const client = seedClient(endpoint);
  try {
    const small = await seedUser(client, tableName, "bench-small-user", 25);
    const big = await seedUser(client, tableName, "bench-big-user", bigCount);
    return {
      small: { userId: "bench-small-user", noteIds: small },
      big: { userId: "bench-big-user", count: big.length },
      noteId: small.at(-1)!,
    };
  } finally {
    client.destroy();
  }
}

/** Writes `count` notes shaped like Note.create's items; ids are ULIDs, oldest first. */
async function seedUser(
  client: DynamoDBDocumentClient,
  tableName: string,
  userId: string,
  count: number,
): Promise<string[]> {
  const nextUlid = monotonicFactory();
  const start = Date.parse("2026-01-01T00:00:00.000Z");
  const items = Array.from({ length: count }, (_, i) => {
    const createdMs = start + i * 1_000;
    const timestamp = new Date(createdMs).toISOString();
    return {
      userId,
      noteId: nextUlid(createdMs),
      content: `Benchmark note ${i + 1} of ${count}: a short paragraph of plain text, as people write.`,
      createdAt: timestamp,
      updatedAt: timestamp,
      version: 1,
    };
  });
  await writeItems(client, tableName, items);
  return items.map((item) => item.noteId);
}

/** Puts `items` with BatchWrite, 25 a call, IN_FLIGHT calls at a time, unprocessed items retried. */
export async function writeItems(client: DynamoDBDocumentClient, tableName: string, items: readonly Record<string, unknown>[]): Promise<void> {
  const batches: Record<string, unknown>[][] = [];
  for (let i = 0; i < items.length; i += BATCH) batches.push(items.slice(i, i + BATCH));
  await inParallel(batches, IN_FLIGHT, async (batch) => {
    let requests = batch.map((Item) => ({ PutRequest: { Item } }));
    // BatchWrite may hand back unprocessed items; bounded retries keep this loop finite.
    for (let attempt = 0; requests.length > 0; attempt++) {
      if (attempt === 10) throw new Error(`seeding ${tableName}: items left unprocessed`);
      const { UnprocessedItems } = await client.send(new BatchWriteCommand({ RequestItems: { [tableName]: requests } }));
      requests = (UnprocessedItems?.[tableName] ?? []) as typeof requests;
    }
  });
}
