import { bundleOf } from "../bundles.ts";
import { sequentialBlocks } from "../measures.ts";
import { defineScenario } from "../scenario.ts";
import { median, round, summary } from "../stats.ts";
import { progress } from "../world.ts";

const BIG_USER_NOTES = 50_000;

/** One process of ours: the first page of a 25-note user against a 50,000-note user, and a deep page. */
export const scenario = defineScenario({
  name: "list",
  summary: "p50 of notes(first: 20) for 50,000 notes vs 25, and of page 100, requests interleaved in one process",
  bigUserNotes: BIG_USER_NOTES,
  plan: {
    quick: { warmupBlocks: 2, blocks: 12, blockSize: 30, deepPage: 100 },
    full: { warmupBlocks: 3, blocks: 30, blockSize: 40, deepPage: 100 },
  },
  async run({ world }, plan) {
    const ours = await world.contender((await bundleOf("ours")).file);
    progress(`list: notes(first: 20) for 25 vs ${BIG_USER_NOTES.toLocaleString("en")} notes and page ${plan.deepPage}, interleaved`);
    await ours.prepare(plan.deepPage);
    const got = (await sequentialBlocks({ ours }, ["list-small", "list-big", "list-deep"], plan)).ours;
    await ours.stop();
    const [small, big, deep] = [got["list-small"]!, got["list-big"]!, got["list-deep"]!];
    return {
      figures: {
        list_scaling_ratio: round(median(big) / median(small)),
        list_small_p50_ms: round(median(small)),
        list_big_p50_ms: round(median(big)),
        list_deep_page: plan.deepPage,
        list_deep_p50_ms: round(median(deep)),
        list_deep_ratio: round(median(deep) / median(small)),
      },
      samples: { list: { small: summary(small), big: summary(big), deep: summary(deep) } },
    };
  },
});
