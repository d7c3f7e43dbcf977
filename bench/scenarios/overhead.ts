import { bundleOf } from "../bundles.ts";
import { sequentialBlocks } from "../measures.ts";
import { defineScenario } from "../scenario.ts";
import { median, round, summary } from "../stats.ts";
import { progress } from "../world.ts";

/** Sequential note(id) through the handler against the raw GetCommand it boils down to, and Apollo's handler. */
export const scenario = defineScenario({
  name: "overhead",
  summary: "p50 of sequential note(id) through ours and Apollo vs the raw GetCommand, blocks alternating between three processes",
  plan: {
    quick: { warmupBlocks: 4, blocks: 40, blockSize: 50 },
    full: { warmupBlocks: 6, blocks: 120, blockSize: 50 },
  },
  async run({ world }, plan) {
    const [ours, apollo] = await Promise.all([bundleOf("ours"), bundleOf("apollo")]);
    const sides = { ours: await world.contender(ours.file), raw: await world.contender("raw"), apollo: await world.contender(apollo.file) };
    progress(`overhead: note(id) through the handler vs raw GetCommand, ${plan.blocks} alternating blocks of ${plan.blockSize}`);
    const got = await sequentialBlocks(sides, ["note"], plan);
    for (const side of Object.values(sides)) await side.stop();
    const p50 = { ours: median(got.ours.note!), raw: median(got.raw.note!), apollo: median(got.apollo.note!) };
    return {
      figures: {
        overhead_ratio: round(p50.ours / p50.raw),
        overhead_added_ms: round(p50.ours - p50.raw),
        handler_note_p50_ms: round(p50.ours),
        raw_get_p50_ms: round(p50.raw),
        apollo_note_p50_ms: round(p50.apollo),
        apollo_overhead_ratio: round(p50.apollo / p50.raw),
      },
      samples: { overhead: { handler: summary(got.ours.note!), raw_get: summary(got.raw.note!), apollo_handler: summary(got.apollo.note!) } },
    };
  },
});
