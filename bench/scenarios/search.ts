import { defineScenario } from "../scenario.ts";
import { runSearchScaling, SEARCH_SCALING_DEFAULTS, SEARCH_SCALING_QUICK, type SearchScalingOptions } from "../search-scaling.ts";
import { progress } from "../world.ts";

/** notes(search:) for 50,000 notes vs 500 with the same 200 matches, and what search adds to a create (bench/search-scaling.ts). */
export const scenario = defineScenario<SearchScalingOptions>({
  name: "search",
  summary: "p50 of a search page (first: 20) for 50,000 notes vs 500 with the same 200 matches; create cost with and without the index",
  plan: {
    quick: SEARCH_SCALING_QUICK,
    full: SEARCH_SCALING_DEFAULTS,
  },
  async run(bench, plan) {
    return { figures: await runSearchScaling(bench.world, plan, (message) => progress(`search: ${message}`)) };
  },
});
