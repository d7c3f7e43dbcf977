import { createServer, type Server, type Socket } from "node:net";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import {
  configureDynamo,
  dynamo,
  dynamoClient,
  dynamoSettings,
  isConditionFailure,
  type DynamoSettings,
} from "../src/dynamo.ts";
import * as Note from "../src/note.ts";
import { embeddedDynamoSettings } from "../src/embedded-dynamo.ts";
import { useEmbeddedTable } from "./embedded-table.ts";
import { newUser } from "./note-helpers.ts";

let db: Awaited<ReturnType<typeof useEmbeddedTable>>;
let working: DynamoSettings;
beforeAll(async () => {
  db = await useEmbeddedTable();
  working = embeddedDynamoSettings(db, db.tableName);
});
afterAll(async () => {
  await db?.close();
});

/** How a failed call ended: the SDK's error, with the attempts its retry strategy made. */
async function failure(call: () => Promise<unknown>) {
  const error = await call().then(
    () => expect.fail("the call should have been rejected"),
    (rejected: unknown) => rejected as Error & { $metadata?: { attempts?: number } },
  );
  expect(error).toBeInstanceOf(Error);
  return { error, attempts: error.$metadata?.attempts };
}

/** A TCP server that accepts connections and never answers: a hung database. */
async function startSilentServer(): Promise<{ endpoint: string; close(): Promise<void> }> {
  const sockets = new Set<Socket>();
  const server: Server = createServer((socket) => {
    sockets.add(socket);
    socket.on("close", () => sockets.delete(socket));
    socket.on("error", () => {});
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    endpoint: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}

describe("the dynamo object against dynalite", () => {
  it("fills in the table name for put, get, query, update and remove", async () => {
    const userId = newUser();
    const key = { userId, noteId: "01ARZ3NDEKTSV4RRFFQ69G5FAV" };
    await dynamo.put({ Item: { ...key, content: "raw", version: 1 } });
    expect((await dynamo.get({ Key: key })).Item).toEqual({ ...key, content: "raw", version: 1 });

    const updated = await dynamo.update({
      Key: key,
      UpdateExpression: "SET version = version + :one",
      ExpressionAttributeValues: { ":one": 1 },
      ReturnValues: "ALL_NEW",
    });
    expect(updated.Attributes?.version).toBe(2);

    const { Items } = await dynamo.query({
      KeyConditionExpression: "userId = :u",
      ExpressionAttributeValues: { ":u": userId },
    });
    expect(Items).toEqual([{ ...key, content: "raw", version: 2 }]);

    const removed = await dynamo.remove({ Key: key, ReturnValues: "ALL_OLD" });
    expect(removed.Attributes?.content).toBe("raw");
    expect((await dynamo.get({ Key: key })).Item).toBeUndefined();
  });

  it("drops undefined attributes instead of failing", async () => {
    const key = { userId: newUser(), noteId: "01ARZ3NDEKTSV4RRFFQ69G5FAV" };
    await dynamo.put({ Item: { ...key, content: "x", attachment: undefined } });
    expect((await dynamo.get({ Key: key })).Item).toEqual({ ...key, content: "x" });
  });

  it("writes where the domain module reads", async () => {
    const userId = newUser();
    const note = await Note.create(userId, { content: "through Note" });
    const { Item } = await dynamo.get({ Key: { userId, noteId: note.id } });
    expect(Item).toMatchObject({ userId, noteId: note.id, content: "through Note", version: 1 });
    // Omitted attachment is not stored as an attribute at all.
    expect(Item).not.toHaveProperty("attachment");
  });

  it("keeps the same client until reconfigured", () => {
    const client = dynamoClient();
    expect(dynamoClient()).toBe(client);
    configureDynamo(working);
    expect(dynamoClient()).not.toBe(client);
    expect(dynamoSettings()).toEqual(working);
  });
});

describe("isConditionFailure", () => {
  it("is true for a failed condition expression", async () => {
    const key = { userId: newUser(), noteId: "01ARZ3NDEKTSV4RRFFQ69G5FAV" };
    await dynamo.put({ Item: key });
    const error = await dynamo
      .put({ Item: key, ConditionExpression: "attribute_not_exists(noteId)" })
      .then(() => undefined, (e: unknown) => e);
    expect(error).toBeDefined();
    expect(isConditionFailure(error)).toBe(true);
  });

  it("is false for other failures and non-errors", async () => {
    const validation = await dynamo
      .get({ Key: { wrongKey: "x" } })
      .then(() => undefined, (e: unknown) => e);
    expect(validation).toBeInstanceOf(Error);
    expect(isConditionFailure(validation)).toBe(false);
    expect(isConditionFailure(new Error("ConditionalCheckFailedException"))).toBe(false);
    expect(isConditionFailure({ name: "ConditionalCheckFailedException" })).toBe(false);
    expect(isConditionFailure(undefined)).toBe(false);
  });
});

describe("settings from the environment", () => {
  it("needs NOTES_TABLE and reads the endpoint and region", async () => {
    vi.resetModules();
    vi.stubEnv("NOTES_TABLE", "");
    try {
      const fresh = await import("../src/dynamo.ts");
      expect(() => fresh.dynamoSettings()).toThrow(/NOTES_TABLE/);

      vi.resetModules();
      vi.stubEnv("NOTES_TABLE", "from-env");
      vi.stubEnv("DYNAMODB_ENDPOINT", "http://127.0.0.1:9");
      vi.stubEnv("AWS_REGION", "eu-west-3");
      const configured = await import("../src/dynamo.ts");
      expect(configured.dynamoSettings()).toMatchObject({
        tableName: "from-env",
        endpoint: "http://127.0.0.1:9",
        region: "eu-west-3",
      });
    } finally {
      vi.unstubAllEnvs();
      vi.resetModules();
    }
  });
});

// Last: these point the shared module at broken endpoints, then restore the working one.
describe("a sick database fails fast", () => {
  afterAll(() => {
    configureDynamo(working);
  });

  it("gives up after its bounded attempts when the endpoint refuses connections", async () => {
    configureDynamo({
      ...working,
      endpoint: "http://127.0.0.1:1",
      maxAttempts: 2,
      connectionTimeoutMs: 200,
      requestTimeoutMs: 500,
    });
    // Bounded by construction: two attempts, each cut off by its timeouts (the test's timeout is the backstop).
    const { attempts } = await failure(() => Note.get(newUser(), "01ARZ3NDEKTSV4RRFFQ69G5FAV"));
    expect(attempts).toBe(2);
  });

  it("gives up after its bounded attempts when the endpoint accepts but never answers", async () => {
    const silent = await startSilentServer();
    try {
      configureDynamo({
        ...working,
        endpoint: silent.endpoint,
        maxAttempts: 2,
        connectionTimeoutMs: 200,
        requestTimeoutMs: 300,
      });
      const { attempts } = await failure(() => Note.create(newUser(), { content: "never stored" }));
      expect(attempts).toBe(2);
    } finally {
      await silent.close();
    }
  });

  it("works again once reconfigured to the real endpoint", async () => {
    configureDynamo(working);
    const userId = newUser();
    const note = await Note.create(userId, { content: "back online" });
    expect(await Note.get(userId, note.id)).toEqual(note);
  });
});
