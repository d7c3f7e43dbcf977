import { spawn } from "node:child_process";
import { mkdir, rm, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { parseArgs } from "node:util";
import autocannon from "autocannon";
import type { NodeJSProps } from "sst/constructs";
import { LAMBDA_NODE_OPTIONS, lambdaNodejsProps } from "../stacks/lambda-bundle.ts";
import { buildHelper, buildLikeSst, OUT_DIR, ROOT, SST_ESBUILD_VERSION, type Bundle } from "./build.ts";
import { noteBody } from "./events.ts";
import type { ContenderRequest, ContenderSetup, RequestKind, Throughput } from "./contender.ts";
import { startIssuer, type BenchIssuer } from "./issuer.ts";
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
  },
});
const quick = flags.quick!;

const plan = quick
  ? {
      coldRuns: 10,
      overhead: { warmupBlocks: 4, blocks: 40, blockSize: 50 },
      list: { warmupBlocks: 2, blocks: 12, blockSize: 30, deepPage: 100 },
      rps: { concurrency: 10, rounds: 4, roundMs: 1_500 },
      http: { connections: 10, rounds: 4, seconds: 3, warmupSeconds: 2 },
      layers: { concurrency: 10, rounds: 5, roundMs: 1_500 },
    }
  : {
      coldRuns: 20,
      overhead: { warmupBlocks: 6, blocks: 120, blockSize: 50 },
      list: { warmupBlocks: 3, blocks: 30, blockSize: 40, deepPage: 100 },
      rps: { concurrency: 10, rounds: 8, roundMs: 2_500 },
      http: { connections: 10, rounds: 6, seconds: 5, warmupSeconds: 3 },
      layers: { concurrency: 10, rounds: 10, roundMs: 2_000 },
    };
const BIG_USER_NOTES = 50_000;
/** SDL-first: schema.graphql goes into Apollo's bundle as a string, as an Apollo user would ship it. */
const apolloBuild: NodeJSProps = { ...lambdaNodejsProps, loader: { ".graphql": "text" } };
const TABLE = "notes-bench";

const targets = {
  bundle_bytes: { max: 800_000 },
  cold_vs_apollo: { max: 0.85 },
  cold_graphql_share_vs_apollo: { max: 0.65 },
  overhead_ratio: { max: 1.4 },
  list_scaling_ratio: { max: 1.1 },
  rps_vs_apollo: { min: 1.05 },
  http_vs_raw: { min: 0.75 },
} as const;

/** Progress goes to stderr, so stdout carries only the table or the JSON line. */
function progress(message: string) {
  process.stderr.write(`[bench] ${message}\n`);
}

const helpers: Helper<unknown>[] = [];
const benchStarted = performance.now();
let closeIssuer: (() => Promise<void>) | undefined;

try {
  const results = flags.layers ? await runLayers() : await run();
  const json = JSON.stringify(results);
  const name = `${flags.layers ? "layers" : "results"}${quick ? "-quick" : ""}.json`;
  const file = quick ? path.join(OUT_DIR, name) : path.join(ROOT, "bench", name);
  await writeFile(file, JSON.stringify(results, null, 2) + "\n");
  if (flags.json) process.stdout.write(json + "\n");
  else {
    const printed = "layers" in results ? layersTable(results) : table(results);
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

  progress("starting dynalite (own process) and a loopback JWKS issuer");
  const dynalite = await startHelper<{ endpoint: string }>(path.join(ROOT, "bench/dynalite-process.ts"), {
    execArgv: ["--import", "tsx"],
    env: { ...process.env, NOTES_TABLE: TABLE, AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: "true" },
  });
  helpers.push(dynalite);
  const { endpoint } = dynalite.ready;
  const issuer = await startIssuer();
  closeIssuer = issuer.close;

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
    NOTES_TABLE: TABLE,
    DYNAMODB_ENDPOINT: endpoint,
    AUTH_ISSUER: issuer.issuer,
    AUTH_AUDIENCE: issuer.audience,
    STAGE: "prod",
    PROTECTED_STAGE: "true",
    // The function runs on nodejs22.x, where the SDK prints no Node-version warning.
    AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: "true",
  };

  /** One bundle (or "raw") in its own process, like one Lambda instance. */
  const contender = async (bundle: string) => {
    const setup: ContenderSetup = {
      bundle,
      endpoint,
      tableName: TABLE,
      noteId: seeded.noteId,
      smallUser: { userId: seeded.small.userId, token: smallToken },
      bigUser: { token: bigToken },
    };
    const helper = await startHelper<unknown>(contenderFile, {
      env: { ...lambdaEnv, BENCH_CONTENDER_SETUP: JSON.stringify(setup) },
    });
    helpers.push(helper);
    return {
      sequential: (kinds: RequestKind[], rounds: number) =>
        ask<Record<string, number[]>>(helper, { op: "sequential", kinds, rounds } satisfies ContenderRequest, 300_000),
      throughput: (concurrency: number, ms: number) =>
        ask<Throughput>(helper, { op: "throughput", concurrency, ms } satisfies ContenderRequest, ms + 60_000),
      prepare: (deepPage: number) => ask<boolean>(helper, { op: "prepare", deepPage } satisfies ContenderRequest, 300_000),
      stop: () => helper.stop(),
    };
  };
  return { endpoint, seeded, smallToken, lambdaEnv, contender, issuer };
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
  ] as const;
  const { contender } = await startWorld(25);
  const sides = [];
  for (const [name, bundle] of layers) sides.push({ name, side: await contender(bundle.file), rps: [] as number[], cpu: [] as number[] });
  const { concurrency, rounds, roundMs } = plan.layers;
  progress(`layers: ${sides.length} contenders, concurrency ${concurrency}, ${rounds} alternating rounds of ${roundMs} ms`);
  // Round 0 warms every process up and is discarded; the order rotates every round.
  for (let r = 0; r <= rounds; r++) {
    for (let k = 0; k < sides.length; k++) {
      const entry = sides[(r + k) % sides.length]!;
      const got = await entry.side.throughput(concurrency, roundMs);
      if (r === 0) continue;
      entry.rps.push(got.rps);
      entry.cpu.push(got.cpuUsPerRequest);
    }
  }
  for (const { side } of sides) await side.stop();
  const ours = sides.find((s) => s.name === "ours")!;
  return {
    layers: Object.fromEntries(
      sides.map(({ name, rps, cpu }) => [
        name,
        {
          rps: round(median(rps), 0),
          cpu_us_per_request: round(median(cpu), 1),
          // Paired round by round with ours, like rps_vs_apollo.
          rps_vs_ours: round(median(rps.map((v, i) => v / ours.rps[i]!))),
          cpu_vs_ours: round(median(cpu.map((v, i) => v / ours.cpu[i]!))),
        },
      ]),
    ),
    bundle_bytes: Object.fromEntries(layers.map(([name, bundle]) => [name, bundle.bytes])),
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
  const { endpoint, seeded, smallToken, lambdaEnv, contender, issuer } = await startWorld(BIG_USER_NOTES);

  const cold = await coldStarts(
    coldChild,
    { ours, apollo, floor },
    lambdaEnv,
    [smallToken, seeded.noteId],
  );

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

  const http = await httpComparison(notesServer, rawServer, endpoint, seeded, issuer);

  const coldOurs = median(cold.ours);
  const coldApollo = median(cold.apollo);
  const coldFloor = median(cold.floor);
  const figures = {
    bundle_bytes: ours.bytes,
    apollo_bundle_bytes: apollo.bytes,
    floor_bundle_bytes: floor.bytes,
    cold_start_ms: round(coldOurs, 1),
    apollo_cold_start_ms: round(coldApollo, 1),
    floor_cold_start_ms: round(coldFloor, 1),
    cold_vs_apollo: round(coldOurs / coldApollo),
    cold_graphql_share_vs_apollo: round((coldOurs - coldFloor) / (coldApollo - coldFloor)),
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
  const met = Object.fromEntries(
    Object.entries(targets).map(([name, target]) => {
      const value = figures[name as keyof typeof figures];
      return [name, "max" in target ? value <= target.max : value >= target.min];
    }),
  );
  return {
    ...figures,
    targets_met: met,
    all_targets_met: Object.values(met).every(Boolean),
    samples: {
      cold_ours_ms: cold.ours.map((v) => round(v, 1)),
      cold_apollo_ms: cold.apollo.map((v) => round(v, 1)),
      cold_floor_ms: cold.floor.map((v) => round(v, 1)),
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
    node: process.version,
    esbuild: SST_ESBUILD_VERSION,
    plan,
  };
}

function summary(samples: number[]) {
  return { n: samples.length, p50: median(samples), p90: percentile(samples, 90), p99: percentile(samples, 99) };
}

function roundSummary(summary: { n: number; p50: number; p90: number; p99: number }) {
  return { n: summary.n, p50: round(summary.p50), p90: round(summary.p90), p99: round(summary.p99) };
}

/** Fresh `node` processes, contenders interleaved and their order rotated every round. */
async function coldStarts(
  child: string,
  bundles: { ours: Bundle; apollo: Bundle; floor: Bundle },
  env: NodeJS.ProcessEnv,
  args: [token: string, noteId: string],
) {
  const names = ["ours", "apollo", "floor"] as const;
  const samples = { ours: [] as number[], apollo: [] as number[], floor: [] as number[] };
  progress(`cold starts: ${plan.coldRuns} fresh processes per contender (+1 discarded warm-up round)`);
  for (let round = -1; round < plan.coldRuns; round++) {
    for (let k = 0; k < names.length; k++) {
      const name = names[(round + 1 + k) % names.length]!;
      const ms = await coldStart(child, bundles[name].file, env, args);
      // Round -1 warms the OS file cache and the JWKS server; it is not a sample.
      if (round >= 0) samples[name].push(ms);
    }
  }
  return samples;
}

function coldStart(child: string, bundle: string, env: NodeJS.ProcessEnv, args: string[]): Promise<number> {
  return new Promise((resolve, reject) => {
    const proc = spawn(process.execPath, [child, bundle, ...args], {
      env,
      stdio: ["ignore", "ignore", "pipe", "ipc"],
    });
    let stderr = "";
    proc.stderr!.setEncoding("utf8").on("data", (chunk: string) => (stderr += chunk));
    const timer = setTimeout(() => proc.kill("SIGKILL"), 30_000);
    let report: { answeredMs: number; ok: boolean; status?: number; body?: string } | undefined;
    proc.on("message", (message) => (report = message as typeof report));
    proc.once("exit", (code) => {
      clearTimeout(timer);
      if (report?.ok) resolve(report.answeredMs);
      else reject(new Error(`cold start of ${bundle} failed (${code}): ${JSON.stringify(report)}\n${stderr}`));
    });
  });
}

/** autocannon on loopback against each server in turn; both use the same dynalite process. */
async function httpComparison(
  notesServer: Bundle,
  rawServer: Bundle,
  endpoint: string,
  seeded: Awaited<ReturnType<typeof seedNotes>>,
  issuer: BenchIssuer,
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
    ours: await startHelper<{ port: number }>(notesServer.file, { env: serverEnv }),
    raw: await startHelper<{ port: number }>(rawServer.file, { env: serverEnv }),
  };
  helpers.push(servers.ours, servers.raw);
  const request = {
    method: "POST",
    headers: { "content-type": "application/json", authorization: `Bearer ${token}` },
    body: noteBody(seeded.noteId),
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
  const rows = Object.entries(results.layers).map(([name, layer]) => [
    labels[name] ?? name,
    String(layer.rps),
    String(layer.cpu_us_per_request),
    String(layer.rps_vs_ours),
    String(layer.cpu_vs_ours),
  ]);
  const header = ["layer", "req/s", "CPU µs/req", "req/s ÷ ours", "CPU ÷ ours"];
  const width = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (cells: string[]) => cells.map((c, i) => (i === 0 ? c.padEnd(width[i]!) : c.padStart(width[i]!))).join("  ");
  return [
    `Notes API benchmark, layers (${results.run.mode}, ${results.run.date}, ${results.run.seconds} s)`,
    results.run.machine + `, Node ${results.run.node}`,
    "",
    line(header),
    "-".repeat(line(header).length),
    ...rows.map(line),
  ].join("\n");
}

function table(results: Awaited<ReturnType<typeof run>>): string {
  const rows: [string, string, string][] = [
    ["bundle_bytes", `${results.bundle_bytes.toLocaleString("en")} (Apollo ${results.apollo_bundle_bytes.toLocaleString("en")})`, "≤ 800,000"],
    ["cold_start_ms", `${results.cold_start_ms} (Apollo ${results.apollo_cold_start_ms}, floor ${results.floor_cold_start_ms})`, ""],
    ["cold_vs_apollo", String(results.cold_vs_apollo), "≤ 0.85"],
    ["cold_graphql_share_vs_apollo", String(results.cold_graphql_share_vs_apollo), "≤ 0.65"],
    ["overhead_ratio", `${results.overhead_ratio} (handler ${results.handler_note_p50_ms} ms vs GetCommand ${results.raw_get_p50_ms} ms)`, "≤ 1.4"],
    ["overhead_added_ms", `${results.overhead_added_ms} (Apollo's ratio ${results.apollo_overhead_ratio})`, ""],
    ["list_scaling_ratio", `${results.list_scaling_ratio} (${results.list_big_p50_ms} ms vs ${results.list_small_p50_ms} ms)`, "≤ 1.1"],
    [`list page ${results.list_deep_page} ratio`, `${results.list_deep_ratio} (${results.list_deep_p50_ms} ms)`, ""],
    ["rps_vs_apollo", `${results.rps_vs_apollo} (${results.rps} vs ${results.apollo_rps} req/s; CPU ${results.cpu_us_per_request} vs ${results.apollo_cpu_us_per_request} µs/req)`, "≥ 1.05"],
    ["http_vs_raw", `${results.http_vs_raw} (${results.http_rps} vs ${results.raw_http_rps} req/s)`, "≥ 0.75"],
  ];
  const met = results.targets_met as Record<string, boolean>;
  const width = [Math.max(...rows.map((r) => r[0].length)), Math.max(...rows.map((r) => r[1].length)), 8];
  const lines = rows.map(([name, value, target]) => {
    const verdict = name in met ? (met[name] ? "met" : "MISSED") : "";
    return `${name.padEnd(width[0]!)}  ${value.padEnd(width[1]!)}  ${target.padEnd(width[2]!)}  ${verdict}`;
  });
  const header = `${"figure".padEnd(width[0]!)}  ${"value".padEnd(width[1]!)}  ${"target".padEnd(width[2]!)}`;
  return [
    `Notes API benchmark (${results.run.mode}, ${results.run.date}, ${results.run.seconds} s)`,
    results.run.machine + `, Node ${results.run.node}`,
    "",
    header,
    "-".repeat(header.length + 8),
    ...lines,
  ].join("\n");
}
