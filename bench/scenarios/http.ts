import autocannon from "autocannon";
import { bundleOf } from "../bundles.ts";
import { paired, ratios } from "../pairing.ts";
import { defineScenario } from "../scenario.ts";
import { median, round } from "../stats.ts";
import { progress } from "../world.ts";

/** autocannon on loopback against the notes server and a bare node:http handler in turn; both on the same dynalite. */
export const scenario = defineScenario({
  name: "http",
  summary: "requests/s over loopback (autocannon, 10 connections), notes server vs a bare node:http handler, rounds alternating",
  plan: {
    quick: { connections: 10, rounds: 4, seconds: 3, warmupSeconds: 2 },
    full: { connections: 10, rounds: 6, seconds: 5, warmupSeconds: 3 },
  },
  async run({ world }, plan) {
    const [notesServer, rawServer] = await Promise.all([bundleOf("notes-http"), bundleOf("raw-http")]);
    const servers = { ours: await world.server(notesServer.file), raw: await world.server(rawServer.file) };
    const { token, body, expect } = world.noteRequest;
    const request = { method: "POST" as const, headers: { "content-type": "application/json", authorization: `Bearer ${token}` }, body };
    for (const [name, server] of Object.entries(servers)) {
      const response = await fetch(`http://127.0.0.1:${server.ready.port}/graphql`, request);
      const text = await response.text();
      if (response.status !== 200 || !text.includes(expect)) {
        throw new Error(`${name} server answered ${response.status}: ${text.slice(0, 300)}`);
      }
    }
    progress(`http: autocannon, ${plan.connections} connections, ${plan.rounds} alternating rounds of ${plan.seconds} s (+1 warm-up of ${plan.warmupSeconds} s)`);
    const got = await paired(["ours", "raw"] as const, { rounds: plan.rounds, warmup: 1 }, async (side, round) => {
      const seconds = round.warmup ? plan.warmupSeconds : plan.seconds;
      const result = await autocannon({ url: `http://127.0.0.1:${servers[side].ready.port}/graphql`, connections: plan.connections, duration: seconds, ...request });
      if (result.errors || result.timeouts || result.non2xx) {
        throw new Error(`${side}: ${result.errors} errors, ${result.timeouts} timeouts, ${result.non2xx} non-2xx`);
      }
      return result.requests.total / (result.duration || seconds);
    });
    await servers.ours.stop();
    await servers.raw.stop();
    return {
      figures: {
        http_rps: round(median(got.ours), 0),
        raw_http_rps: round(median(got.raw), 0),
        http_vs_raw: round(median(ratios(got.ours, got.raw))),
      },
      samples: { http_ours: got.ours.map((v) => round(v, 0)), http_raw: got.raw.map((v) => round(v, 0)) },
    };
  },
});
