import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import * as Subscription from "@notes/core/subscription";
import { createClient, type Client } from "graphql-ws";
import WebSocket from "ws";
import { localUserToken } from "../packages/functions/src/local/cognito.ts";
import { startLocalServer } from "../packages/functions/src/local/server.ts";
import { captureLogs } from "../packages/functions/src/log.ts";

/**
 * `tsx bench/fanout.ts [--rounds N]`: Subscription.noteEvents' fan-out through the local WebSocket
 * emulation. One user holds 100 subscriptions (100 connections), another 1; rounds alternate
 * between them (paired on a shared machine). Per round: createNote over HTTP, timed from sending it
 * to the event at the last of that user's subscriptions. The events go out before the mutation
 * answers (a Lambda may freeze once it has answered), so "from the response" would be <= 0: the
 * figure starts at the request. fanout_100_vs_1 = median(100) / median(1); target <= 3.0.
 */
const WIDE = 100;
const rounds = Number(process.argv[process.argv.indexOf("--rounds") + 1]) || 30;
const EVENTS = "subscription { noteEvents { type id version note { id content version } } }";
const CREATE = "mutation($c: String!) { createNote(input: { content: $c }) { id } }";

interface Audience {
  token: string;
  userId: string;
  clients: Client[];
  /** Called with the note id of every event any of its subscriptions gets. */
  onEvent: (noteId: string) => void;
}

const restoreLogs = captureLogs(() => {}, "SILENT");
const dataDir = await mkdtemp(join(tmpdir(), "notes-bench-fanout-"));
const server = await startLocalServer({ dataDir, port: 0, host: "127.0.0.1", tableName: "notes", bucketName: "notes-attachments" });
try {
  const wide = await audience("fanout-wide", WIDE);
  const narrow = await audience("fanout-narrow", 1);
  const times: Record<"wide" | "narrow", number[]> = { wide: [], narrow: [] };
  const responses: Record<"wide" | "narrow", number[]> = { wide: [], narrow: [] };
  for (let round = 0; round < rounds + 2; round++) {
    // Alternating order each round, so neither side always runs on a warmer process.
    const order = round % 2 === 0 ? (["wide", "narrow"] as const) : (["narrow", "wide"] as const);
    for (const side of order) {
      const { total, response } = await oneEvent(side === "wide" ? wide : narrow, side === "wide" ? WIDE : 1);
      // The first two rounds warm up (JIT, connections, caches).
      if (round >= 2) {
        times[side].push(total);
        responses[side].push(response);
      }
    }
  }
  const figures = {
    fanout_100_vs_1: round2(median(times.wide) / median(times.narrow)),
    delivery_p50_ms_100: round2(median(times.wide)),
    delivery_p50_ms_1: round2(median(times.narrow)),
    delivery_p95_ms_100: round2(percentile(times.wide, 0.95)),
    mutation_response_p50_ms_100: round2(median(responses.wide)),
    mutation_response_p50_ms_1: round2(median(responses.narrow)),
    rounds,
  };
  process.stdout.write(`${JSON.stringify(figures)}\n`);
  for (const client of [...wide.clients, ...narrow.clients]) await client.dispose();
} finally {
  await server.close();
  await rm(dataDir, { recursive: true, force: true });
  restoreLogs();
}

async function audience(name: string, connections: number): Promise<Audience> {
  const token = await localUserToken(dataDir, name);
  const userId = JSON.parse(Buffer.from(token.split(".")[1]!, "base64url").toString()).sub as string;
  const target: Audience = { token, userId, clients: [], onEvent: () => {} };
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
  }
  while ((await Subscription.subscriptionsOf(userId)).length < connections) await new Promise((r) => setTimeout(r, 20));
  return target;
}

async function oneEvent(target: Audience, expected: number): Promise<{ total: number; response: number }> {
  const arrivals: { id: string; at: number }[] = [];
  let noteId: string | undefined;
  let resolveAll!: () => void;
  const all = new Promise<void>((resolve) => (resolveAll = resolve));
  const done = () => noteId !== undefined && arrivals.filter((a) => a.id === noteId).length === expected;
  target.onEvent = (id) => {
    arrivals.push({ id, at: performance.now() });
    if (done()) resolveAll();
  };
  const started = performance.now();
  const response = await fetch(server.url, {
    method: "POST",
    headers: { "content-type": "application/json", authorization: `Bearer ${target.token}` },
    body: JSON.stringify({ query: CREATE, variables: { c: "fan-out" } }),
  });
  const answeredAt = performance.now();
  noteId = ((await response.json()) as any).data.createNote.id as string;
  if (done()) resolveAll();
  await all;
  const lastAt = Math.max(...arrivals.filter((a) => a.id === noteId).map((a) => a.at));
  return { total: lastAt - started, response: answeredAt - started };
}

function median(values: number[]): number {
  return percentile(values, 0.5);
}

function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))]!;
}

function round2(value: number): number {
  return Math.round(value * 100) / 100;
}
