import { execFileSync } from "node:child_process";
import { readdirSync, readFileSync } from "node:fs";
import { writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { pathToFileURL } from "node:url";
import { parseArgs } from "node:util";
import { LAMBDA_MEMORY_MB, LAMBDA_NODE_OPTIONS } from "../stacks/lambda-bundle.ts";
import { OUT_DIR, ROOT, SST_ESBUILD_VERSION } from "./build.ts";
import { FIGURES, judge, SCENARIOS_DIR, type Results } from "./figures.ts";
import type { Mode, Output, Scenario } from "./scenario.ts";
import { LAYER_NAMES } from "./scenarios/layers.ts";
import { rewriteReadme, textTable } from "./tables.ts";
import { LAMBDA_NODE_ARGS, progress, startWorld } from "./world.ts";

const USAGE = `npm run bench -- [options]
  (none)                 every scenario of the figure registry, full: writes bench/results.json
  --quick                fewer samples; results go to .bench/ (never bench/*.json)
  --json                 the results as one JSON object on the last line of stdout
  --only a,b             only these scenarios (see --list); with the layers tool, names of layers
  --list                 the scenarios and the registry's figures, then exit
  --readme               rewrite bench/README.md's generated sections from bench/results.json, then exit
  --layers               the layers tool (= --only layers)
  --lever-esbuild JSON | --lever-node-options S | --lever-node-args=S | --lever-bundle FILE | --lever-env JSON
                         the levers tool: the product bundle against one alternate setting
  --node PATH            measure on another Node binary
  --env JSON             variables added to every measured function's environment (e.g. Powertools' settings)
  --cpu-prof, --vs-node PATH, --vs-node-options S   with --layers: profiles, a second Node`;

const { values: flags } = parseArgs({
  options: {
    quick: { type: "boolean", default: false },
    json: { type: "boolean", default: false },
    only: { type: "string" },
    list: { type: "boolean", default: false },
    readme: { type: "boolean", default: false },
    help: { type: "boolean", default: false },
    layers: { type: "boolean", default: false },
    node: { type: "string" },
    env: { type: "string" },
    "cpu-prof": { type: "boolean", default: false },
    "vs-node": { type: "string" },
    "vs-node-options": { type: "string" },
    "lever-esbuild": { type: "string" },
    "lever-node-options": { type: "string" },
    "lever-node-args": { type: "string" },
    "lever-bundle": { type: "string" },
    "lever-env": { type: "string" },
  },
});
const mode: Mode = flags.quick ? "quick" : "full";
const RESULTS_FILE = path.join(ROOT, "bench/results.json");
const README_FILE = path.join(ROOT, "bench/README.md");

/** Every scenario file; those measuring registry figures form the standard run, in the registry's order. */
const scenarios: Scenario[] = [];
for (const file of readdirSync(SCENARIOS_DIR).filter((name) => name.endsWith(".ts") && !name.endsWith(".test.ts")).sort()) {
  const { scenario } = (await import(pathToFileURL(path.join(SCENARIOS_DIR, file)).href)) as { scenario: Scenario };
  if (scenario?.name !== path.basename(file, ".ts")) throw new Error(`bench/scenarios/${file} must export \`scenario\` named "${path.basename(file, ".ts")}"`);
  scenarios.push(scenario);
}
const standard = [...new Set(FIGURES.map((figure) => figure.scenario))].flatMap((name) => scenarios.filter((s) => s.name === name));
const tools = scenarios.filter((s) => !standard.includes(s));

if (flags.help) process.stdout.write(USAGE + "\n");
else if (flags.list) process.stdout.write(listing() + "\n");
else if (flags.readme) {
  const results = JSON.parse(readFileSync(RESULTS_FILE, "utf8")) as Results;
  await writeFile(README_FILE, rewriteReadme(readFileSync(README_FILE, "utf8"), results));
  process.stdout.write(`bench/README.md rewritten from bench/results.json (${(results.run as { date: string }).date})\n`);
} else await measure();

async function measure() {
  const lever = { esbuild: flags["lever-esbuild"], nodeOptions: flags["lever-node-options"], nodeArgs: flags["lever-node-args"], bundle: flags["lever-bundle"], env: flags["lever-env"] };
  const only = flags.only?.split(",").filter(Boolean) ?? [];
  const layers = only.filter((name) => LAYER_NAMES.includes(name));
  const named = [
    ...only.filter((name) => !LAYER_NAMES.includes(name)),
    ...(flags.layers || layers.length ? ["layers"] : []),
    ...(Object.values(lever).some((v) => v !== undefined) ? ["levers"] : []),
  ];
  const unknown = named.filter((name) => !scenarios.some((s) => s.name === name));
  if (unknown.length) throw new Error(`unknown scenario or layer: ${unknown.join(", ")}\n\n${listing()}`);
  const selected = named.length ? [...standard, ...tools].filter((s) => named.includes(s.name)) : standard;
  const tool = selected.find((s) => tools.includes(s));
  if (tool && selected.length > 1) throw new Error(`${tool.name} is a tool: it runs alone`);

  const started = performance.now();
  const env = JSON.parse(flags.env ?? "{}") as Record<string, string>;
  const world = await startWorld({ bigUserNotes: Math.max(25, ...selected.map((s) => s.bigUserNotes ?? 0)), node: flags.node, env });
  const outputs: Output[] = [];
  try {
    for (const scenario of selected) {
      progress(`scenario ${scenario.name} (${mode})`);
      const output = await scenario.run(
        { world, mode, options: { cpuProf: flags["cpu-prof"]!, layers: layers.length ? layers : undefined, vsNode: flags["vs-node"], vsNodeOptions: flags["vs-node-options"], lever } },
        scenario.plan[mode],
      );
      const missing = FIGURES.filter((figure) => figure.scenario === scenario.name && !(figure.name in output.figures));
      if (missing.length) throw new Error(`scenario ${scenario.name} did not report ${missing.map((f) => f.name).join(", ")}`);
      outputs.push(output);
    }
  } finally {
    await world.stop();
  }

  const figures: Results = Object.assign({}, ...outputs.map((o) => o.figures));
  const run = {
    mode,
    date: new Date().toISOString(),
    seconds: Math.round((performance.now() - started) / 100) / 10,
    commit: gitCommit(),
    scenarios: selected.map((s) => s.name),
    machine: `${os.cpus()[0]?.model ?? "unknown CPU"}, ${os.cpus().length} cores, ${Math.round(os.totalmem() / 2 ** 30)} GiB, ${os.platform()} ${os.release()}`,
    node: world.node.version,
    harness_node: process.version,
    esbuild: SST_ESBUILD_VERSION,
    // What every measured process gets as a Lambda function of LAMBDA_MEMORY_MB (cold-start adds the CPU quotas of the sizes).
    lambda: Object.assign({ memory_mb: LAMBDA_MEMORY_MB, node_args: LAMBDA_NODE_ARGS, node_options: LAMBDA_NODE_OPTIONS, cpu_quota: null, env }, ...outputs.map((o) => o.run?.lambda)),
    plan: Object.fromEntries(selected.map((s) => [s.name, s.plan[mode]])),
  };
  const samples = Object.assign({}, ...outputs.map((o) => o.samples));
  const notMeasurable = Object.assign({}, ...outputs.map((o) => o.notMeasurable));
  const results: Results = tool ? { ...figures, samples, run } : { ...figures, ...judge(figures), not_measurable: notMeasurable, samples, run };

  // Only the standard full runs (all scenarios, this machine's Lambda Node) are the committed record.
  const variant = mode === "quick" || only.length > 0 || flags.node !== undefined || flags.env !== undefined || flags["vs-node"] !== undefined || flags["cpu-prof"] || tool?.name === "levers";
  const name = `${tool?.file ?? "results"}${mode === "quick" ? "-quick" : ""}.json`;
  const file = variant ? path.join(OUT_DIR, name) : path.join(ROOT, "bench", name);
  await writeFile(file, JSON.stringify(results, null, 2) + "\n");
  // The committed record and the README's tables move together.
  if (file === RESULTS_FILE) await writeFile(README_FILE, rewriteReadme(readFileSync(README_FILE, "utf8"), results));
  if (flags.json) process.stdout.write(JSON.stringify(results) + "\n");
  else process.stdout.write(`${tool?.print ? `${tool.name}: ${run.date}\n${tool.print(figures)}` : textTable(results)}\nWritten to ${path.relative(ROOT, file)}\n`);
}

function listing(): string {
  const line = (s: Scenario) => `  ${s.name.padEnd(12)} ${s.summary}`;
  const figures = FIGURES.map((f) => `  ${f.name.padEnd(30)} ${f.scenario}`);
  return [USAGE, "", "scenarios of the standard run:", ...standard.map(line), "tools:", ...tools.map(line), "", "figures:", ...figures].join("\n");
}

function gitCommit(): string | undefined {
  try {
    return execFileSync("git", ["rev-parse", "--short", "HEAD"], { cwd: ROOT, encoding: "utf8", stdio: ["ignore", "pipe", "ignore"] }).trim();
  } catch {
    return undefined;
  }
}
