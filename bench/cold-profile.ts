import { readFileSync } from "node:fs";
import { mkdir, readdir, readFile, rm, writeFile } from "node:fs/promises";
import path from "node:path";
import { originalPositionFor, TraceMap } from "@jridgewell/trace-mapping";
import { fileURLToPath, pathToFileURL } from "node:url";
import { OUT_DIR } from "./build.ts";
import type { ColdStartSpec } from "./cold-start-child.ts";
import { median, round } from "./stats.ts";
import { progress, type World } from "./world.ts";

/**
 * Where a cold start's CPU goes, from a V8 CPU profile (`node --cpu-prof`) of one cold-start
 * process: every sample is put in one phase by its time (the child's CLOCK_MONOTONIC marks share
 * the profile's clock) and in one cost by its stack, with the bundle's frames mapped back to
 * their sources through the bundle's source map (so a cost can be named by package).
 */
interface CallFrame {
  functionName: string;
  url: string;
  lineNumber: number;
  columnNumber: number;
}

interface CpuProfile {
  nodes: { id: number; callFrame: CallFrame; children?: number[] }[];
  startTime: number;
  samples: number[];
  timeDeltas: number[];
}

export interface ColdMarks {
  importStartUs: number;
  importedUs: number;
  answeredUs: number;
}

/** One frame, placed: the package (or Node/V8 part) it belongs to and, for the bundle, its source. */
interface Frame {
  where: string;
  source?: string;
  fn?: string;
}

export type Phase = "start-up" | "import" | "first request";

/** Milliseconds of CPU samples per "phase: cost" label. */
export type ColdCosts = Record<string, number>;

/** Costs named by what they are rather than by package; the first rule matching a stack wins. */
const RULES: { phase: Phase; label: string; matches(stack: Frame[]): boolean }[] = [
  { phase: "import", label: "source map read and indexed (--enable-source-maps)", matches: (s) => s.some((f) => f.where === "node: source maps") },
  { phase: "first request", label: "stack trace source-mapping (--enable-source-maps)", matches: (s) => s.some((f) => f.where === "node: source maps") },
  { phase: "import", label: "schema build (Pothos types and toSchema)", matches: (s) => s.some((f) => f.where.startsWith("@pothos/")) },
  { phase: "import", label: "yoga creation (createYoga, envelop, plugins)", matches: (s) => s.some((f) => f.source?.endsWith("functions/src/graphql/yoga.ts") && f.fn === "createNotesYoga") },
  { phase: "import", label: "token verifier creation (jose JWKS set)", matches: (s) => s.some((f) => f.source?.endsWith("functions/src/auth.ts")) },
  { phase: "first request", label: "SDK client creation (DynamoDB, S3)", matches: (s) => s.some(isSdkClientCreation) },
  { phase: "first request", label: "JWKS fetch and token verification (undici, jose)", matches: (s) => s.some((f) => f.where === "node: undici (fetch)" || f.where === "jose") },
  { phase: "first request", label: "S3 presigning", matches: (s) => s.some((f) => f.source?.includes("s3-request-presigner") || f.source?.includes("core/src/s3.ts")) },
];

function isSdkClientCreation(frame: Frame): boolean {
  if (!frame.source || !frame.fn) return false;
  if (/core\/src\/(dynamo|s3)\.ts$/.test(frame.source) && /client/i.test(frame.fn) && frame.fn !== "send") return true;
  return /@aws-sdk\/client-[a-z0-9-]+\//.test(frame.source) && frame.fn === "constructor";
}

/** The package a source path belongs to: `@scope/name` or `name` after node_modules, or the workspace. */
export function packageOf(source: string): string {
  const afterModules = source.split("node_modules/").at(-1)!;
  if (afterModules !== source) {
    const parts = afterModules.split("/");
    return parts[0]!.startsWith("@") ? `${parts[0]}/${parts[1]}` : parts[0]!;
  }
  const workspace = /packages\/([^/]+)\//.exec(source);
  return workspace ? `@notes/${workspace[1]}` : source;
}

const FUNCTION_NAME = /^(?:export\s+)?(?:default\s+)?(?:static\s+)?(?:async\s+)?(?:function\s*\*?\s*)?(?:get\s+|set\s+)?#?([A-Za-z_$][\w$]*)/;

/** A CPU profile whose samples come with their time, their share of time and their placed stack. */
export async function readProfile(profileFile: string, bundleFile: string) {
  const profile = JSON.parse(await readFile(profileFile, "utf8")) as CpuProfile;
  // The entry and its chunks (code splitting) all sit in the bundle's folder, each with its map.
  const bundleDir = pathToFileURL(path.dirname(bundleFile)).href + "/";
  const maps = new Map<string, TraceMap | null>();
  const mapOf = (url: string): TraceMap | null => {
    if (!maps.has(url)) {
      // The full map where the build wrote one (bench/build.ts): the deployed one maps only our code.
      const file = fileURLToPath(url);
      const text = readFileOrEmpty(`${file}.map.full`) || readFileOrEmpty(`${file}.map`);
      maps.set(url, text ? new TraceMap(JSON.parse(text)) : null);
    }
    return maps.get(url)!;
  };
  const sourceLines = new Map<string, string[]>();
  /** A source's lines, from the map's sourcesContent or (a map built without it) from disk. */
  const linesOf = (map: TraceMap, source: string): string[] => {
    let lines = sourceLines.get(source);
    if (!lines) {
      const i = map.sources.indexOf(source);
      const text = map.sourcesContent?.[i] ?? readFileOrEmpty(path.resolve(path.dirname(bundleFile), source));
      lines = text.split("\n");
      sourceLines.set(source, lines);
    }
    return lines;
  };

  const parents = new Map<number, number>();
  for (const node of profile.nodes) for (const child of node.children ?? []) parents.set(child, node.id);
  const byId = new Map(profile.nodes.map((node) => [node.id, node]));
  const frames = new Map<number, Frame>();
  const frameOf = (id: number): Frame => {
    let frame = frames.get(id);
    if (frame) return frame;
    const { url, lineNumber, columnNumber, functionName } = byId.get(id)!.callFrame;
    const map = url.startsWith(bundleDir) ? mapOf(url) : null;
    if (map) {
      const original = originalPositionFor(map, { line: lineNumber + 1, column: columnNumber });
      if (original.source) {
        const text = linesOf(map, original.source)[original.line - 1]?.slice(original.column) ?? "";
        const fn = original.name ?? FUNCTION_NAME.exec(text.trimStart())?.[1];
        frame = { where: packageOf(original.source), source: original.source, fn };
      } else frame = { where: "bundle: module top level" };
    } else if (url.includes("source_map")) frame = { where: "node: source maps" };
    else if (url.includes("undici")) frame = { where: "node: undici (fetch)" };
    else if (url.startsWith("node:internal/modules")) frame = { where: "node: module loader and compile" };
    else if (url.startsWith("node:")) frame = { where: `node: ${url.replace(/^node:(internal\/)?/, "").split("/")[0]}` };
    else if (url === "") frame = { where: `v8: ${functionName || "(anonymous native)"}` };
    else frame = { where: "harness" };
    frames.set(id, frame);
    return frame;
  };
  /** Root first, leaf last. */
  const stacks = new Map<number, Frame[]>();
  const stackOf = (id: number): Frame[] => {
    let stack = stacks.get(id);
    if (stack) return stack;
    const parent = parents.get(id);
    stack = [...(parent === undefined ? [] : stackOf(parent)), frameOf(id)];
    stacks.set(id, stack);
    return stack;
  };
  return {
    *samples(): Generator<{ timeUs: number; ms: number; stack: Frame[] }> {
      // Each sample counts for the sampling interval: a gap while the process waited for a core on a
      // busy machine is not CPU time of whatever happened to run next.
      const sorted = [...profile.timeDeltas].sort((x, y) => x - y);
      const intervalMs = (sorted[sorted.length >> 1] ?? 0) / 1000;
      let time = profile.startTime;
      for (let i = 0; i < profile.samples.length; i++) {
        time += profile.timeDeltas[i]!;
        yield { timeUs: time, ms: intervalMs, stack: stackOf(profile.samples[i]!) };
      }
    },
  };
}

export async function analyzeColdProfile(profileFile: string, bundleFile: string, marks: ColdMarks): Promise<ColdCosts> {
  const profile = await readProfile(profileFile, bundleFile);
  const costs: ColdCosts = {};
  for (const { timeUs, ms, stack } of profile.samples()) {
    const phase: Phase | undefined =
      timeUs < marks.importStartUs ? "start-up" : timeUs < marks.importedUs ? "import" : timeUs < marks.answeredUs ? "first request" : undefined;
    if (!phase) continue;
    const label = labelOf(phase, stack);
    costs[label] = (costs[label] ?? 0) + ms;
  }
  return costs;
}

/**
 * Self time by package of a warm process's profile (`--layers --cpu-prof`): a sample counts for the
 * innermost frame that is the bundle's (source-mapped to its package), else for Node's or V8's part.
 */
export async function selfTimeByPackage(profileFile: string, bundleFile: string): Promise<Record<string, number>> {
  const profile = await readProfile(profileFile, bundleFile);
  const totals: Record<string, number> = {};
  for (const { ms, stack } of profile.samples()) {
    const leaf = stack.at(-1)!;
    if (leaf.where === "v8: (idle)") continue;
    const where = leaf.source ? leaf.where : leaf.where.startsWith("v8: (") ? leaf.where : `${leaf.where} (from ${[...stack].reverse().find((f) => f.source)?.where ?? "-"})`;
    totals[where] = (totals[where] ?? 0) + ms;
  }
  return totals;
}

function readFileOrEmpty(file: string): string {
  try {
    return readFileSync(file, "utf8");
  } catch {
    return "";
  }
}

function labelOf(phase: Phase, stack: Frame[]): string {
  if (phase === "start-up") return "start-up: node bootstrap and the harness, before the handler's import";
  for (const rule of RULES) if (rule.phase === phase && rule.matches(stack)) return `${phase}: ${rule.label}`;
  const leaf = stack.at(-1)!;
  // Self time in V8's pseudo-frames ((program), (garbage collector)) or Node's loader is named as such.
  if (!leaf.source) {
    const innerBundle = [...stack].reverse().find((f) => f.source);
    if (leaf.where.startsWith("v8: (garbage") || leaf.where.startsWith("node: module") || !innerBundle) return `${phase}: ${leaf.where}`;
    return `${phase}: ${innerBundle.where}`;
  }
  return `${phase}: ${leaf.where}`;
}

/** What `profileColdStarts` reports (the JSON's `cold_profile`). */
export interface ColdProfileSummary {
  method: string;
  runs: number;
  profiled_cold_start_ms: number;
  phases_ms: Record<Phase, number>;
  top: { cost: string; ms: number }[];
}

/**
 * `runs` cold starts of `spec` under `--cpu-prof`, each profile split into costs; the summary keeps
 * each cost's median over the runs, largest first. The raw profiles stay in .bench/cold-profiles/<label>/.
 */
export async function profileColdStarts(world: World, spec: ColdStartSpec, label: string, runs: number): Promise<ColdProfileSummary> {
  progress(`cold profile: ${runs} cold starts (${label}) under --cpu-prof`);
  const profiled: { costs: ColdCosts; answeredMs: number }[] = [];
  const profiles = path.join(OUT_DIR, "cold-profiles", label);
  await rm(profiles, { recursive: true, force: true });
  for (let i = 0; i < runs; i++) {
    const dir = path.join(profiles, String(i + 1));
    await mkdir(dir, { recursive: true });
    const report = await world.coldStart(spec, { execArgv: ["--cpu-prof", "--cpu-prof-dir", dir, "--cpu-prof-interval", "100"] });
    const [file] = (await readdir(dir)).filter((name) => name.endsWith(".cpuprofile"));
    if (!file) throw new Error(`no CPU profile in ${dir}`);
    profiled.push({ costs: await analyzeColdProfile(path.join(dir, file), spec.bundle, report.marks), answeredMs: report.answeredMs });
    await writeFile(path.join(dir, "marks.json"), JSON.stringify(report.marks));
  }
  const labels = [...new Set(profiled.flatMap((run) => Object.keys(run.costs)))];
  const costs = labels
    .map((cost) => ({ cost, ms: round(median(profiled.map((run) => run.costs[cost] ?? 0)), 1) }))
    .sort((a, b) => b.ms - a.ms);
  const phaseMs = (phase: Phase) => round(costs.filter((c) => c.cost.startsWith(`${phase}:`)).reduce((sum, c) => sum + c.ms, 0), 1);
  return {
    method: "node --cpu-prof (100 µs sampling) of fresh cold starts of ours; samples split by phase (time marks) and by stack (source-mapped)",
    runs: profiled.length,
    profiled_cold_start_ms: round(median(profiled.map((run) => run.answeredMs)), 1),
    phases_ms: { "start-up": phaseMs("start-up"), import: phaseMs("import"), "first request": phaseMs("first request") },
    top: costs.filter((c) => c.ms >= 0.5).slice(0, 20),
  };
}
