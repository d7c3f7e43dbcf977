import { bundleOf } from "../bundles.ts";
import { memoryAfterWarmRequests } from "../measures.ts";
import { defineScenario } from "../scenario.ts";
import { median, round } from "../stats.ts";

/** Resident memory of fresh processes of ours and Apollo after a cold start and warm note(id) requests. */
export const scenario = defineScenario({
  name: "memory",
  summary: "RSS after a cold start and 1,000 warm note(id) requests, ours vs Apollo, fresh processes alternating",
  plan: {
    quick: { runs: 5, warmRequests: 1_000 },
    full: { runs: 7, warmRequests: 1_000 },
  },
  async run({ world }, plan) {
    const [ours, apollo] = await Promise.all([bundleOf("ours"), bundleOf("apollo")]);
    const first = world.noteRequest;
    const memory = await memoryAfterWarmRequests(world, { ours: { spec: { bundle: ours.file, first } }, apollo: { spec: { bundle: apollo.file, first } } }, plan);
    const mb = (samples: number[]) => samples.map((v) => round(v, 1));
    return {
      figures: {
        rss_mb: round(median(memory.ours.rss), 1),
        apollo_rss_mb: round(median(memory.apollo.rss), 1),
        rss_vs_apollo: round(median(memory.ours.rss) / median(memory.apollo.rss)),
        heap_used_mb: round(median(memory.ours.heap), 1),
        apollo_heap_used_mb: round(median(memory.apollo.heap), 1),
      },
      samples: {
        rss_ours_mb: mb(memory.ours.rss),
        rss_apollo_mb: mb(memory.apollo.rss),
        max_rss_ours_mb: mb(memory.ours.maxRss),
        max_rss_apollo_mb: mb(memory.apollo.maxRss),
        heap_used_ours_mb: mb(memory.ours.heap),
        heap_used_apollo_mb: mb(memory.apollo.heap),
      },
    };
  },
});
