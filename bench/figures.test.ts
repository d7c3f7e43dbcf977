import { readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { ROOT } from "./build.ts";
import { FIGURES, judge, rowOf, type Figure, type Results } from "./figures.ts";
import { resultsSection, rewriteReadme } from "./tables.ts";

const results = JSON.parse(readFileSync(path.join(ROOT, "bench/results.json"), "utf8")) as Results;
const readme = readFileSync(path.join(ROOT, "bench/README.md"), "utf8");
const figure = (name: string) => FIGURES.find((f) => f.name === name)!;

describe("the figure registry", () => {
  it("names each figure once", () => {
    expect(new Set(FIGURES.map((f) => f.name)).size).toBe(FIGURES.length);
  });

  it("is what bench/README.md's generated sections say, with bench/results.json's values (npm run bench -- --readme)", () => {
    expect(rewriteReadme(readme, results)).toBe(readme);
    for (const f of FIGURES) expect(readme).toContain(`| \`${f.name}\` |`);
  });

  it("judges a guard in its direction", () => {
    const run = { run: { scenarios: [] } };
    const judged = judge({ ...run, bundle_bytes: 900_000, rps_vs_apollo: 0.84, http_vs_raw: 0.62, cold_vs_apollo: null });
    expect(judged.targets_met).toEqual({ bundle_bytes: true, rps_vs_apollo: false, http_vs_raw: true, cold_vs_apollo: null });
    expect(judged.all_targets_met).toBe(false);
    expect(judge({ ...run, bundle_bytes: 1, http_vs_raw: 0.7 }).all_targets_met).toBe(true);
  });

  it("lets a figure be absent without failing the run, and says why", () => {
    const judged = judge({ list_scaling_ratio: 1.0 });
    expect(judged.all_targets_met).toBe(true);
    expect(judged.not_measured.search_scaling_ratio).toMatch(/^(no bench\/scenarios\/search\.ts yet|scenario search not in this run)$/);
    expect(judged.not_measured.overhead_ratio).toBe("scenario overhead not in this run");
    const unknown: Figure = { name: "x_ratio", scenario: "no-such-scenario", how: "", means: "", guard: { max: 1 } };
    expect(rowOf(unknown, {})).toEqual({ name: "x_ratio", value: "- (not measured yet)", guard: "≤ 1", verdict: "" });
  });

  it("changes the README's results when a value changes", () => {
    const changed = { ...results, overhead_ratio: 9.99 };
    expect(resultsSection(changed)).not.toBe(resultsSection(results));
    expect(rowOf(figure("overhead_ratio"), changed)).toMatchObject({ value: expect.stringMatching(/^9\.99 \(/), verdict: "missed" });
  });
});
