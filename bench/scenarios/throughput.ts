import { bundleOf } from "../bundles.ts";
import { throughputRounds } from "../measures.ts";
import { ratios } from "../pairing.ts";
import { defineScenario } from "../scenario.ts";
import { median, round } from "../stats.ts";

/** In-process note(id) throughput of ours against Apollo, whole rounds alternating between one process each. */
export const scenario = defineScenario({
  name: "throughput",
  summary: "in-process note(id) requests/s and CPU per request, 10 concurrent loops, ours vs Apollo, rounds alternating",
  plan: {
    quick: { concurrency: 10, rounds: 4, roundMs: 1_500 },
    full: { concurrency: 10, rounds: 8, roundMs: 2_500 },
  },
  async run({ world }, plan) {
    const [ours, apollo] = await Promise.all([bundleOf("ours"), bundleOf("apollo")]);
    const sides = { ours: await world.contender(ours.file), apollo: await world.contender(apollo.file) };
    const got = await throughputRounds(sides, plan);
    for (const side of Object.values(sides)) await side.stop();
    const rps = { ours: got.ours.map((t) => t.rps), apollo: got.apollo.map((t) => t.rps) };
    const cpu = { ours: got.ours.map((t) => t.cpuUsPerRequest), apollo: got.apollo.map((t) => t.cpuUsPerRequest) };
    return {
      figures: {
        rps: round(median(rps.ours), 0),
        apollo_rps: round(median(rps.apollo), 0),
        rps_vs_apollo: round(median(ratios(rps.ours, rps.apollo))),
        cpu_us_per_request: round(median(cpu.ours), 1),
        apollo_cpu_us_per_request: round(median(cpu.apollo), 1),
      },
      samples: { rps_ours: rps.ours.map((v) => round(v, 0)), rps_apollo: rps.apollo.map((v) => round(v, 0)) },
    };
  },
});
