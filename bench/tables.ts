import type { ColdProfileSummary } from "./cold-profile.ts";
import { FIGURES, guardText, rowOf, type Results } from "./figures.ts";

/** The registry's figures as the printed table and as the README's generated sections. */

interface RunInfo {
  mode: string;
  date: string;
  seconds: number;
  commit?: string;
  machine: string;
  node: string;
  harness_node: string;
  esbuild: string;
}

function runLine(results: Results): string {
  const run = results.run as RunInfo;
  return (
    `${run.mode} run, ${run.date}, ${run.seconds} s${run.commit ? ` at ${run.commit}` : ""}; ${run.machine}; ` +
    `measured on Node ${run.node} (harness ${run.harness_node}), bundles by SST's esbuild ${run.esbuild}`
  );
}

/** The profiles a run measured, with their heading. */
function profilesOf(results: Results): { title: string; profile: ColdProfileSummary }[] {
  return FIGURES.filter((figure) => figure.profile && results[figure.name]).map((figure) => {
    const profile = results[figure.name] as ColdProfileSummary;
    const phases = Object.entries(profile.phases_ms).map(([phase, ms]) => `${phase} ${ms} ms`).join(", ");
    return {
      title: `\`${figure.name}\` (${figure.means}): median of ${profile.runs} profiled runs, ${profile.profiled_cold_start_ms} ms under the profiler; CPU samples by phase: ${phases}`,
      profile,
    };
  });
}

/** The table `npm run bench` prints: one line per figure of the registry, then the cold-start profiles. */
export function textTable(results: Results): string {
  const ran = new Set((results.run as { scenarios: string[] }).scenarios);
  const rows = FIGURES.filter((figure) => !figure.profile && ran.has(figure.scenario)).map((figure) => rowOf(figure, results));
  const width = (key: "name" | "value" | "guard") => Math.max(key.length, ...rows.map((row) => row[key].length));
  const line = (cells: Record<"name" | "value" | "guard" | "verdict", string>) =>
    `${cells.name.padEnd(width("name"))}  ${cells.value.padEnd(width("value"))}  ${cells.guard.padEnd(width("guard"))}  ${cells.verdict}`.trimEnd();
  const header = line({ name: "figure", value: "value", guard: "guard", verdict: "" });
  const profiles = profilesOf(results).flatMap(({ title, profile }) => [
    "",
    title.replaceAll("`", ""),
    ...profile.top.map((c) => `  ${c.cost.padEnd(72)}  ${c.ms.toFixed(1).padStart(6)} ms`),
  ]);
  return [`Notes API benchmark: ${runLine(results)}`, "", header, "-".repeat(header.length + 8), ...rows.map(line), ...profiles].join("\n");
}

const cell = (text: string) => text.replaceAll("|", "\\|");

/** The README's table of what each figure means, from the registry alone. */
export function figuresSection(): string {
  return [
    "| figure | what it tells | how it is computed | guard | scenario |",
    "|---|---|---|---|---|",
    ...FIGURES.map((f) => `| \`${f.name}\` | ${cell(f.means)} | ${cell(f.how)} | ${guardText(f.guard)} | \`${f.scenario}\` |`),
  ].join("\n");
}

/** The README's latest results, from a results JSON and the registry (verdicts by today's guards). */
export function resultsSection(results: Results): string {
  const rows = FIGURES.filter((figure) => !figure.profile).map((figure) => rowOf(figure, results));
  const profiles = profilesOf(results).flatMap(({ title, profile }) => [
    "",
    `${title}.`,
    "",
    "| cost | ms |",
    "|---|---|",
    ...profile.top.map((c) => `| ${cell(c.cost)} | ${c.ms} |`),
  ]);
  return [
    `${runLine(results)}.`,
    "",
    "| figure | value | guard | |",
    "|---|---|---|---|",
    ...rows.map((row) => `| \`${row.name}\` | ${cell(row.value)} | ${row.guard} | ${row.verdict === "missed" ? "**missed**" : row.verdict} |`),
    ...profiles,
  ].join("\n");
}

/** `readme` with its generated sections (between `<!-- generated: NAME -->` and `<!-- end: NAME -->`) rewritten. */
export function rewriteReadme(readme: string, results: Results): string {
  const sections: Record<string, string> = { figures: figuresSection(), results: resultsSection(results) };
  let rewritten = readme;
  for (const [name, body] of Object.entries(sections)) {
    const start = `<!-- generated: ${name} (npm run bench -- --readme) -->`;
    const end = `<!-- end: ${name} -->`;
    const from = rewritten.indexOf(start);
    const to = rewritten.indexOf(end);
    if (from < 0 || to < from) throw new Error(`bench/README.md has no "${start}" … "${end}" section`);
    rewritten = `${rewritten.slice(0, from + start.length)}\n${body}\n${rewritten.slice(to)}`;
  }
  return rewritten;
}
