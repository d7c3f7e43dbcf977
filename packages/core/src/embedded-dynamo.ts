import type { AddressInfo } from "node:net";
import {
  CreateTableCommand,
  DescribeTableCommand,
  DynamoDBClient,
  ResourceInUseException,
  ResourceNotFoundException,
} from "@aws-sdk/client-dynamodb";
import type { DynamoSettings } from "./dynamo.ts";
import { notesTableDefinition } from "./table.ts";

/**
 * A real DynamoDB-compatible server (dynalite) inside this process, for the local server and
 * the tests. With `path` the data lives on disk (LevelDB); without it, in memory.
 */
export interface EmbeddedDynamo {
  endpoint: string;
  port: number;
  close(): Promise<void>;
}

/**
 * The dynamo module's settings for a table in an embedded dynalite. Its timeouts are long: a
 * loopback call into this very process is slow only when the process is starved (a loaded
 * machine), which is no reason to fail a request; the 1 s / 2 s defaults are for a remote DynamoDB.
 */
export function embeddedDynamoSettings(db: EmbeddedDynamo, tableName: string): DynamoSettings {
  return { tableName, endpoint: db.endpoint, connectionTimeoutMs: 10_000, requestTimeoutMs: 10_000 };
}

/** The data directory's database is open in another process (another local server, usually). */
export class DataDirectoryInUseError extends Error {
  override name = "DataDirectoryInUseError";
  constructor(readonly path: string) {
    super(`the database under ${path} is in use by another process`);
  }
}

export async function startEmbeddedDynamo(
  options: { path?: string; port?: number; host?: string } = {},
): Promise<EmbeddedDynamo> {
  if (options.path) await ensureNotLocked(options.path);
  const { default: dynalite } = await import("dynalite");
  const server = dynalite({ path: options.path, createTableMs: 0, deleteTableMs: 0 });
  const host = options.host ?? "127.0.0.1";
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port ?? 0, host, () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  let closing: Promise<void> | undefined;
  return {
    endpoint: `http://${host}:${port}`,
    port,
    close() {
      // Idle keep-alive sockets from SDK clients would otherwise hold the close open.
      closing ??= new Promise<void>((resolve, reject) => {
        server.close((error) => (error ? reject(error) : resolve()));
        server.closeAllConnections();
      });
      return closing;
    },
  };
}

/**
 * dynalite opens its LevelDB lazily and, when another process holds the lock, throws
 * "Database is closed" from inside its first request's callback: an uncaught exception with no
 * hint of the cause. Opening the directory once first turns that into an error the caller sees.
 */
async function ensureNotLocked(path: string): Promise<void> {
  const { Level } = await import("level");
  const probe = new Level(path);
  try {
    await probe.open();
  } catch (error) {
    if ((error as { cause?: { code?: string } }).cause?.code === "LEVEL_LOCKED") {
      throw new DataDirectoryInUseError(path);
    }
    throw error;
  } finally {
    await probe.close();
  }
}

/** Creates the notes table if it is missing and waits until it is ACTIVE. */
export async function ensureNotesTable(endpoint: string, tableName: string): Promise<void> {
  const client = new DynamoDBClient({
    endpoint,
    region: "us-east-1",
    credentials: { accessKeyId: "local", secretAccessKey: "local" },
  });
  try {
    try {
      await client.send(new CreateTableCommand(notesTableDefinition(tableName)));
    } catch (error) {
      if (!(error instanceof ResourceInUseException)) throw error;
    }
    // dynalite keeps a new table CREATING briefly; the SDK waiter would poll only once a second.
    const deadline = Date.now() + 10_000;
    for (;;) {
      try {
        const { Table } = await client.send(new DescribeTableCommand({ TableName: tableName }));
        if (Table?.TableStatus === "ACTIVE") return;
      } catch (error) {
        if (!(error instanceof ResourceNotFoundException)) throw error;
      }
      if (Date.now() > deadline) throw new Error(`Table ${tableName} did not become ACTIVE`);
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
  } finally {
    client.destroy();
  }
}
