import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import * as Subscription from "@notes/core/subscription";
import { createClient, type Client } from "graphql-ws";
import WebSocket from "ws";
import { localUserToken } from "../../packages/functions/src/local/cognito.ts";
import { startLocalServer, type LocalServer } from "../../packages/functions/src/local/server.ts";
import { captureLogs } from "../../packages/functions/src/log.ts";
import { paired, ratios } from "../pairing.ts";
import { defineScenario } from "../scenario.ts";
import { median, percentile, round } from "../stats.ts";
import { progress } from "../world.ts";

/**
 * Subscription.noteEvents' fan-out through the local WebSocket emulation (`npm start`'s server:
 * the built bundle in Lambda workers, the API Gateway emulation and `@connections` in this
 * process). One user holds 100 subscriptions (100 connections), another 1; rounds alternate
 * (bench/pairing.ts). Per round: one createNote over HTTP, timed from sending it to the event at
 * the last of that user's subscriptions. The events go out before the mutation answers (a Lambda
 * may be frozen once it has answered), so the time starts at the request: "from the response"
 * would be at or below zero.
 */
const WIDE = 100;
const EVENTS = "subscription { noteEvents { type id version note { id content version } } }";
const CREATE = "mutation($c: String!) { createNote(input: { content: $c }) { id } }";

interface Audience {
  token: string;
  clients: Client[];
  /** Called with the note id of every event any of its subscriptions gets. */
  onEvent: (noteId: string) => void;
}

interface Timing {
  /** Request sent → event at the last subscription. */
  delivery: number;
  /** Request sent → mutation's response. */
  response: number;
}

export const scenario = defineScenario({
  name: "fanout",
  summary: "createNote → its event at the last of 100 WebSocket subscriptions vs at 1, through the local emulation, rounds alternating",
  plan: { quick: { rounds: 12, warmup: 2 }, full: { rounds: 40, warmup: 3 } },
  async run(_bench, plan) {
    const restoreLogs = captureLogs(() => {}, "SILENT");
    const dataDir = await mkdtemp(join(tmpdir(), "notes-bench-fanout-"));
    const server = await startLocalServer({ dataDir, port: 0, host: "127.0.0.1", tableName: "notes", bucketName: "notes-attachments" }, {
      // stdout carries only the table: the workers' log lines and build notices are dropped.
      onLambdaLine: () => {},
      onLambdaNotice: () => {},
    });
    const audiences: Audience[] = [];
    try {
      progress(`fanout: ${WIDE} + 1 WebSocket subscriptions`);
      const wide = await audience(server, dataDir, "fanout-wide", WIDE, audiences);
      const narrow = await audience(server, dataDir, "fanout-narrow", 1, audiences);
      progress(`fanout: ${plan.rounds} alternating rounds (+${plan.warmup} warm-up)`);
      const got = await paired(["wide", "narrow"] as const, plan, (side) => oneEvent(server, side === "wide" ? wide : narrow, side === "wide" ? WIDE : 1));
      const delivery = { wide: got.wide.map((t) => t.delivery), narrow: got.narrow.map((t) => t.delivery) };
      return {
        figures: {
          fanout_100_vs_1: round(median(ratios(delivery.wide, delivery.narrow)), 2),
          fanout_delivery_p50_ms: round(median(delivery.wide), 1),
          fanout_delivery_p95_ms: round(percentile(delivery.wide, 95), 1),
          fanout_delivery_p50_ms_1: round(median(delivery.narrow), 1),
          fanout_response_p50_ms: round(median(got.wide.map((t) => t.response)), 1),
          fanout_response_p50_ms_1: round(median(got.narrow.map((t) => t.response)), 1),
        },
        samples: { fanout_delivery_ms_100: delivery.wide.map((v) => round(v, 1)), fanout_delivery_ms_1: delivery.narrow.map((v) => round(v, 1)) },
      };
    } finally {
      await Promise.all(audiences.flatMap((a) => a.clients.map((client) => client.dispose())));
      await server.close();
      await rm(dataDir, { recursive: true, force: true });
      restoreLogs();
    }
  },
});

async function audience(server: LocalServer, dataDir: string, name: string, connections: number, all: Audience[]): Promise<Audience> {
  const token = await localUserToken(dataDir, name);
  const userId = JSON.parse(Buffer.from(token.split(".")[1]!, "base64url").toString()).sub as string;
  const target: Audience = { token, clients: [], onEvent: () => {} };
  all.push(target);
  const subscribed: Promise<void>[] = [];
  for (let i = 0; i < connections; i++) {
    const client = createClient({
      url: server.url.replace(/^http/, "ws"),
      webSocketImpl: WebSocket,
      connectionParams: { Authorization: `Bearer ${token}` },
      lazy: false,
      retryAttempts: 0,
    });
    client.subscribe(
      { query: EVENTS },
      { next: (result) => target.onEvent((result.data as any).noteEvents.id), error: (e) => { throw e; }, complete: () => {} },
    );
    target.clients.push(client);
    subscribed.push(new Promise((resolve) => client.on("connected", () => resolve())));
  }
  await Promise.all(subscribed);
  // Subscribed once the stored subscriptions are all there (the subscribe messages are Lambda invocations).
  while ((await Subscription.subscriptionsOf(userId)).length < connections) await new Promise((r) => setTimeout(r, 20));
  return target;
}

async function oneEvent(server: LocalServer, target: Audience, expected: number): Promise<Timing> {
  let noteId: string | undefined;
  const arrivals = new Map<string, number[]>();
  let resolveAll!: () => void;
  const all = new Promise<void>((resolve) => (resolveAll = resolve));
  const check = () => noteId !== undefined && (arrivals.get(noteId)?.length ?? 0) === expected && resolveAll();
  target.onEvent = (id) => {
    arrivals.set(id, [...(arrivals.get(id) ?? []), performance.now()]);
    check();
  };
  const started = performance.now();
  const response = await fetch(server.url, {
    method: "POST",
    headers: { "content-type": "application/json", authorization: `Bearer ${target.token}` },
    body: JSON.stringify({ query: CREATE, variables: { c: "fan-out" } }),
  });
  const answeredAt = performance.now();
  noteId = ((await response.json()) as any).data.createNote.id as string;
  check();
  await all;
  return { delivery: Math.max(...arrivals.get(noteId)!) - started, response: answeredAt - started };
}
