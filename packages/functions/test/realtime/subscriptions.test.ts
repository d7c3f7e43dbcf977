import * as Subscription from "@notes/core/subscription";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { captureLogs } from "../../src/log.ts";
import { graphqlClient } from "../graphql-client.ts";
import { startLocalApi, type LocalApi } from "../hardening/local-api.ts";
import type { Invocation } from "../../src/local/invocation.ts";
import { frameRecordingWebSocket, recordSubscription, recordingClient, type Frame, type RecordingClient } from "./ws-client.ts";

/**
 * Subscription.noteEvents end to end: the graphql-ws client over a real WebSocket to the local
 * server's API Gateway emulation, which invokes the handler with $connect/$default/$disconnect
 * events; mutations over HTTP; state in dynalite; events back through the @connections API.
 */
const EVENTS = "subscription Events { noteEvents { type id version note { id content version } } }";
const CREATE = "mutation($c: String!) { createNote(input: { content: $c }) { id version } }";
const UPDATE = "mutation($id: ID!, $c: String!) { updateNote(input: { id: $id, content: $c }) { id version } }";
const DELETE = "mutation($id: ID!) { deleteNote(id: $id) { id version } }";

interface NoteEventData {
  noteEvents: { type: string; id: string; version: number; note: { id: string; content: string; version: number } | null };
}

/** The local server (its function logs kept out of the output), and the invocations it reported. */
async function startServer(websocketIdleTimeoutMs?: number) {
  const invocations: Invocation[] = [];
  const server = await startLocalApi({ onInvocation: (invocation) => invocations.push(invocation) }, { websocketIdleTimeoutMs });
  return { server, invocations, token: server.token, close: server.close };
}

/** A query or mutation over HTTP through the tests' one client; anything but data fails the test at once. */
async function gql(server: LocalApi, token: string, query: string, variables: Record<string, unknown> = {}) {
  const { status, body, text } = await graphqlClient(server.url)(query, variables, { token });
  if (status !== 200 || body.errors || !body.data) throw new Error(`${status}: ${text}`);
  return body.data;
}

let local: Awaited<ReturnType<typeof startServer>>;
let alice: string;
let bob: string;
let restoreLogs: () => void;
const clients: RecordingClient[] = [];
const connect = (token: string | undefined, options = {}) => {
  const client = recordingClient(local.server.url, token, options);
  clients.push(client);
  return client;
};

/** A client of `token`'s with one EVENTS subscription, once the server has stored it. */
async function subscribed(token: string, options = {}) {
  const client = connect(token, options);
  const events = recordSubscription<NoteEventData>(client.client, EVENTS);
  await client.opened;
  await waitForSubscriptions(token, 1);
  return { client, events };
}

beforeAll(async () => {
  restoreLogs = captureLogs(() => {}, "SILENT");
  local = await startServer();
  [alice, bob] = await Promise.all([local.token("rt-alice"), local.token("rt-bob")]);
});
afterAll(async () => {
  await Promise.all(clients.map((c) => c.dispose()));
  await local?.close();
  restoreLogs?.();
});

describe("connection_init", () => {
  it("with a valid token is acknowledged", async () => {
    expect(await connect(alice).opened).toBe(true);
  });
  it.each([
    ["without a token", undefined],
    ["with a token that is not one", "not-a-jwt"],
    ["with a token signed by nobody the API trusts", "eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJ4In0.c2ln"],
  ])("%s ends the connection with a plain close (API Gateway's DeleteConnection), never acknowledged", async (_label, token) => {
    const client = connect(token);
    expect(await client.opened).toBe(1005);
    expect(client.connects).toBe(0);
  });
});

describe("subscribe", () => {
  it("delivers CREATED, UPDATED and DELETED of the caller's notes, in order, with the note", async () => {
    const { events } = await subscribed(alice);
    const { createNote } = await gql(local.server, alice, CREATE, { c: "first" });
    await gql(local.server, alice, UPDATE, { id: createNote.id, c: "second" });
    await gql(local.server, alice, DELETE, { id: createNote.id });
    await events.until(() => events.events.length >= 3);
    expect(events.events.map((e) => [e.noteEvents.type, e.noteEvents.version, e.noteEvents.note?.content ?? null])).toEqual([
      ["CREATED", 1, "first"],
      ["UPDATED", 2, "second"],
      ["DELETED", 2, null],
    ]);
    events.unsubscribe();
  });

  it("answers an invalid document with an error message and keeps the socket open", async () => {
    const client = connect(alice, { keepAlive: 50 });
    await client.opened;
    const invalid = recordSubscription(client.client, "subscription { noteEvents { nope } }");
    const notASubscription = recordSubscription(client.client, "query { me { id } }");
    await invalid.until(() => invalid.errors.length === 1);
    await notASubscription.until(() => notASubscription.errors.length === 1);
    expect(JSON.stringify(invalid.errors[0])).toContain("GRAPHQL_VALIDATION_FAILED");
    expect(JSON.stringify(notASubscription.errors[0])).toContain("Only subscriptions");
    // ping → pong on the same socket: still open.
    const pongs = client.pongs;
    await client.until(() => client.pongs > pongs);
    expect(client.closes).toEqual([]);
  });

  it("complete stops deliveries to that subscription only", async () => {
    const client = connect(bob);
    const stopped = recordSubscription<NoteEventData>(client.client, EVENTS);
    const kept = recordSubscription<NoteEventData>(client.client, EVENTS);
    await client.opened;
    await waitForSubscriptions(bob, 2);
    stopped.unsubscribe();
    await waitForSubscriptions(bob, 1);
    await gql(local.server, bob, CREATE, { c: "after complete" });
    await kept.until(() => kept.events.length === 1);
    expect(stopped.events).toEqual([]);
    kept.unsubscribe();
    await waitForSubscriptions(bob, 0);
  });
});

describe("delivery", () => {
  it("never sends one user's events to another", async () => {
    const aliceClient = connect(alice);
    const bobClient = connect(bob);
    const aliceEvents = recordSubscription<NoteEventData>(aliceClient.client, EVENTS);
    const bobEvents = recordSubscription<NoteEventData>(bobClient.client, EVENTS);
    await Promise.all([aliceClient.opened, bobClient.opened]);
    await Promise.all([waitForSubscriptions(alice, 1), waitForSubscriptions(bob, 1)]);
    const { createNote } = await gql(local.server, alice, CREATE, { c: "alice only" });
    await aliceEvents.until(() => aliceEvents.events.length === 1);
    // The event was sent before the mutation answered: Bob would have it by now.
    expect(aliceEvents.events[0]!.noteEvents.id).toBe(createNote.id);
    expect(bobEvents.events).toEqual([]);
    aliceEvents.unsubscribe();
    bobEvents.unsubscribe();
    await Promise.all([waitForSubscriptions(alice, 0), waitForSubscriptions(bob, 0)]);
  });

  it("keeps 20 quick updates of one note in version order", async () => {
    const { events } = await subscribed(alice);
    const { createNote } = await gql(local.server, alice, CREATE, { c: "v1" });
    for (let i = 2; i <= 21; i++) await gql(local.server, alice, UPDATE, { id: createNote.id, c: `v${i}` });
    await events.until(() => events.events.length === 21);
    expect(events.events.map((e) => e.noteEvents.version)).toEqual(Array.from({ length: 21 }, (_, i) => i + 1));
    expect(events.events.map((e) => e.noteEvents.note!.content)).toEqual(Array.from({ length: 21 }, (_, i) => `v${i + 1}`));
    events.unsubscribe();
    await waitForSubscriptions(alice, 0);
  });

  it("sends an event too large for one API Gateway message (128 KB) with note: null", async () => {
    const { events } = await subscribed(alice);
    // 50,000 characters of 3 bytes each: 150 KB of content.
    const { createNote } = await gql(local.server, alice, CREATE, { c: "€".repeat(50_000) });
    await events.until(() => events.events.length === 1);
    expect(events.events[0]).toEqual({ noteEvents: { type: "CREATED", id: createNote.id, version: 1, note: null } });
    events.unsubscribe();
    await waitForSubscriptions(alice, 0);
  });

  it("forgets a connection that is gone (410 from @connections) when an event finds it", async () => {
    const userId = (await gql(local.server, alice, "{ me { id } }")).me.id as string;
    await Subscription.addSubscription(userId, { connectionId: "R29uZUNvbm5lY3Rpb24=", subscriptionId: "1", query: EVENTS });
    expect((await Subscription.subscriptionsOf(userId)).map((s) => s.connectionId)).toContain("R29uZUNvbm5lY3Rpb24=");
    await gql(local.server, alice, CREATE, { c: "to nobody" });
    expect((await Subscription.subscriptionsOf(userId)).map((s) => s.connectionId)).not.toContain("R29uZUNvbm5lY3Rpb24=");
  });
});

describe("the local WebSocket API", () => {
  it("reports $connect, $default and $disconnect invocations to onInvocation, as the HTTP API does", async () => {
    const client = recordingClient(local.server.url, alice);
    const events = recordSubscription<NoteEventData>(client.client, EVENTS);
    await client.opened;
    await waitForSubscriptions(alice, 1);
    const connect = local.invocations.filter((i) => i.route === "$connect").at(-1)!;
    expect(connect).toMatchObject({ status: 200, worker: expect.any(Number), logLines: expect.any(Array) });
    const subscribe = local.invocations.findLast((i) => i.route === "$default" && i.request?.document === EVENTS);
    expect(subscribe).toMatchObject({ status: 200, request: { document: EVENTS, operationName: undefined } });
    events.unsubscribe();
    await waitForSubscriptions(alice, 0);
    const seen = local.invocations.length;
    await client.dispose();
    // The console learns of the close once its $disconnect invocation has run.
    while (!local.invocations.slice(seen).some((i) => i.route === "$disconnect")) await new Promise((resolve) => setImmediate(resolve));
  });

  it("sends a message over 32 KB to the client in frames of at most 32 KB, as API Gateway does", async () => {
    const frames: Frame[] = [];
    const { events } = await subscribed(alice, { webSocketImpl: frameRecordingWebSocket(frames) });
    // 40,000 characters of 2 bytes each: an 80 KB message, within API Gateway's 128 KB.
    const content = "é".repeat(40_000);
    await gql(local.server, alice, CREATE, { c: content });
    await events.until(() => events.events.length === 1);
    expect(events.events[0]!.noteEvents.note!.content).toBe(content);
    const data = frames.filter((f) => f.opcode !== 0x9 && f.opcode !== 0xa && f.opcode !== 0x8);
    const message = data.slice(data.findIndex((f) => !f.fin));
    expect(message.length).toBeGreaterThanOrEqual(3);
    expect(message.every((f) => f.length <= 32 * 1024)).toBe(true);
    expect(message.reduce((sum, f) => sum + f.length, 0)).toBeGreaterThan(80_000);
    events.unsubscribe();
    await waitForSubscriptions(alice, 0);
  });
});

describe("idle connections", () => {
  let idle: Awaited<ReturnType<typeof startServer>>;
  beforeAll(async () => {
    // Long enough that the steps between a reconnect and its event never leave the socket idle that long.
    idle = await startServer(2_000);
  });
  afterAll(async () => {
    await idle?.close();
  });

  it("are closed by the emulation like API Gateway's idle timeout (1001), and the client reconnects and subscribes again", async () => {
    const token = await idle.token("rt-idle");
    const client = recordingClient(idle.server.url, token, { retryAttempts: 5, retryWait: async () => {}, shouldRetry: () => true });
    clients.push(client);
    const events = recordSubscription<NoteEventData>(client.client, EVENTS);
    await client.until(() => client.connects >= 2);
    expect(client.closes[0]).toBe(1001);
    // After the reconnect the subscription is stored again and delivers.
    await waitForSubscriptions(token, 1, idle.server);
    await gql(idle.server, token, CREATE, { c: "after reconnect" });
    await events.until(() => events.events.length >= 1);
    expect(events.events.at(-1)!.noteEvents.note!.content).toBe("after reconnect");
  });

  it("drop a connection that never sends connection_init", async () => {
    const client = recordingClient(idle.server.url, undefined, { connectionParams: () => new Promise(() => {}) });
    clients.push(client);
    expect(await client.opened).toBe(1001);
  });
});

/**
 * The user's stored subscriptions are `count`, each on a connection the emulation's @connections
 * API says is open (the server stores them asynchronously to the client; a closed one's records go
 * with its $disconnect).
 */
async function waitForSubscriptions(token: string, count: number, server = local.server) {
  const userId = (await gql(server, token, "{ me { id } }")).me.id as string;
  const origin = new URL(server.url).origin;
  const isOpen = async (connectionId: string) =>
    (await fetch(`${origin}/@connections/${encodeURIComponent(connectionId)}`)).status === 200;
  for (;;) {
    const stored = await Subscription.subscriptionsOf(userId);
    const open = await Promise.all(stored.map((s) => isOpen(s.connectionId)));
    if (stored.length === count && open.every(Boolean)) return;
    await new Promise((resolve) => setImmediate(resolve));
  }
}
