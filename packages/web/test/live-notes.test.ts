import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import WebSocket from "ws";
import { startLocalServer, type LocalServer } from "@notes/functions/local/server";
import { localUserToken } from "@notes/functions/local/cognito";
import { captureLogs } from "@notes/functions/log";
import * as Subscription from "@notes/core/subscription";
import { createApiClient } from "../src/api.ts";
import { createLiveConnection, type LiveConnection, type LiveStatus } from "../src/notes/live.ts";
import { CreateNoteMutation, NoteEventsSubscription } from "../src/operations.ts";

// The app's live updates: its urql client and graphql-ws connection against the local server's WebSocket,
// which runs only trusted documents here, so the subscription goes as its hash like every other operation.

// Node 20 has no global WebSocket (browsers and Node 22 do); the app's client uses the global one.
globalThis.WebSocket ??= WebSocket as unknown as typeof globalThis.WebSocket;

let dataDir: string;
let server: LocalServer;
let restoreLogs: () => void;
const connections: LiveConnection[] = [];

beforeAll(async () => {
  restoreLogs = captureLogs(() => {}, "SILENT");
  dataDir = await mkdtemp(join(tmpdir(), "notes-web-live-"));
  server = await startLocalServer({
    dataDir, port: 0, host: "127.0.0.1", tableName: "notes", bucketName: "notes-attachments", trustedDocumentsOnly: true,
  });
});
afterAll(async () => {
  for (const connection of connections) connection.dispose();
  await server?.close();
  if (dataDir) await rm(dataDir, { recursive: true, force: true });
  restoreLogs?.();
});

function live(token: string) {
  const connection = createLiveConnection(server.url.replace(/^http/, "ws"), async () => token);
  connections.push(connection);
  return connection;
}

function until(condition: () => boolean, subscribe: (check: () => void) => void): Promise<void> {
  return new Promise((resolve) => {
    const check = () => condition() && resolve();
    subscribe(check);
    check();
  });
}

describe("the app's live connection", () => {
  it("delivers the NoteEvents subscription (sent as its trusted-document hash) and reports itself live", async () => {
    const token = await localUserToken(dataDir, "web-live");
    const connection = live(token);
    const statuses: LiveStatus[] = [];
    connection.onStatus((status) => statuses.push(status));
    const client = createApiClient(server.url, token, undefined, connection.client);
    const events: { type: string; id: string; content?: string }[] = [];
    let notify = () => {};
    client.subscription(NoteEventsSubscription, {}).subscribe((result) => {
      expect(result.error).toBeUndefined();
      const event = result.data!.noteEvents;
      events.push({ type: event.type, id: event.id, content: event.note?.content });
      notify();
    });
    await until(() => connection.status() === "live", (check) => connection.onStatus(check));
    // The server stores the subscription after the acknowledgement; a note created before that would not be
    // sent (the app refetches its page on every reconnect for that reason), so wait until it is stored.
    const userId = JSON.parse(Buffer.from(token.split(".")[1]!, "base64url").toString()).sub as string;
    while ((await Subscription.subscriptionsOf(userId)).length === 0) await new Promise((resolve) => setImmediate(resolve));
    const created = await client.mutation(CreateNoteMutation, { input: { content: "live one" } }).toPromise();
    expect(created.error).toBeUndefined();
    await until(() => events.some((e) => e.id === created.data!.createNote.id), (check) => (notify = check));
    expect(events.find((e) => e.id === created.data!.createNote.id)).toEqual({ type: "CREATED", id: created.data!.createNote.id, content: "live one" });
    expect(statuses).toContain("live");
  });

  it("tells the app when the server refuses the token, so it can sign in again instead of looping", async () => {
    const connection = live("not-a-token");
    let refused = 0;
    let notify = () => {};
    connection.onRefused(() => {
      refused++;
      notify();
    });
    const client = createApiClient(server.url, null, undefined, connection.client);
    client.subscription(NoteEventsSubscription, {}).subscribe(() => {});
    await until(() => refused > 0, (check) => (notify = check));
    expect(connection.status()).not.toBe("live");
  });
});
