import { existsSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";

/**
 * The registry of the benchmark's figures: what each is, how it is computed, which scenario
 * (bench/scenarios/<scenario>.ts) measures it, and its guard with the direction that passes. The
 * run's JSON (`guards`, `targets_met`), the printed table and the README's tables all come from here.
 * A figure whose scenario file does not exist yet is listed as "not measured yet" and fails nothing.
 */
export const SCENARIOS_DIR = path.join(path.dirname(fileURLToPath(import.meta.url)), "scenarios");

export type Guard = { max: number } | { min: number };

export interface Figure {
  /** Its key in the results JSON. */
  name: string;
  scenario: string;
  /** How it is computed, for the README's table of figures. */
  how: string;
  /** What it tells, in one line. */
  means: string;
  guard?: Guard;
  /** Context beside the value in tables: each `{key}` is another value of the results. */
  detail?: string;
  /** A cold-start profile: printed as its own table after the figures. */
  profile?: boolean;
}

export const FIGURES: Figure[] = [
  {
    name: "bundle_bytes",
    scenario: "cold-start",
    how: "bytes a `note(id)` cold start loads: the handler's entry file and every chunk it imports statically, transitively (esbuild's metafile; lazy `import()` chunks and `.map` files excluded); `bundle_total_bytes` is every file of the bundle",
    means: "what a cold start reads and compiles",
    guard: { max: 900_000 },
    detail: "all files {bundle_total_bytes}; Apollo {apollo_bundle_bytes}; floor {floor_bundle_bytes}",
  },
  {
    name: "cold_start_ms",
    scenario: "cold-start",
    how: "median over fresh `node` processes (contenders interleaved, first round dropped) of process start → first answer: import, schema build, client creation, JWKS fetch, one `note(id)` through the handler; `cold_start_cpu_ms` is their CPU time (all threads) to the answer",
    means: "the wait of the first request a new Lambda instance serves",
    detail: "Apollo {apollo_cold_start_ms}, floor {floor_cold_start_ms}; CPU {cold_start_cpu_ms} vs {apollo_cold_start_cpu_ms} ms",
  },
  {
    name: "cold_vs_apollo",
    scenario: "cold-start",
    how: "`cold_start_ms` ÷ Apollo's, same run",
    means: "our cold start against what a user would pick instead",
    guard: { max: 0.85 },
  },
  {
    name: "cold_graphql_share_vs_apollo",
    scenario: "cold-start",
    how: "(ours − floor) ÷ (Apollo − floor), cold starts of the same run; the floor verifies the token and reads the item without GraphQL",
    means: "what our GraphQL layer adds to a cold start, relative to Apollo's",
    guard: { max: 0.6 },
  },
  {
    name: "cold_vs_apollo_by_memory",
    scenario: "cold-start",
    how: "the same cold starts as Lambda functions of 512 / 1,024 / 1,769 MB (a CPU quota of memory ÷ 1,769 of a vCPU, that size's bootstrap arguments), ours ÷ Apollo; `null` where quotas cannot be emulated",
    means: "whether the comparison holds at other memory sizes",
    detail: "ours {cold_start_ms_by_memory} ms, Apollo {apollo_cold_start_ms_by_memory}, floor {floor_cold_start_ms_by_memory}; share {cold_graphql_share_vs_apollo_by_memory}",
  },
  {
    name: "attachment_cold_vs_note_cold",
    scenario: "cold-start",
    how: "a cold start whose first request is `notes(first: 20)` for a user whose 20 notes all carry a file (20 download links signed), ÷ the `note(id)` cold start of the same run",
    means: "what files cost the first listing of a new instance",
    guard: { max: 1.25 },
    detail: "{attachment_cold_start_ms} ms vs {cold_start_ms} ms",
  },
  {
    name: "rss_vs_apollo",
    scenario: "memory",
    how: "resident set size after a cold start and 1,000 sequential `note(id)` requests, median over fresh processes, ours ÷ Apollo alternating",
    means: "the memory a warm instance holds",
    guard: { max: 1.0 },
    detail: "{rss_mb} vs {apollo_rss_mb} MB; heap used {heap_used_mb} vs {apollo_heap_used_mb} MB",
  },
  {
    name: "overhead_ratio",
    scenario: "overhead",
    how: "p50 of sequential `note(id)` through the Lambda handler ÷ p50 of the raw `GetCommand` for the same item, blocks alternating between the processes",
    means: "what the whole API adds to the one database read a request needs",
    guard: { max: 1.4 },
    detail: "handler p50 {handler_note_p50_ms} ms, GetCommand p50 {raw_get_p50_ms} ms; Apollo's {apollo_overhead_ratio}",
  },
  {
    name: "overhead_added_ms",
    scenario: "overhead",
    how: "the same two p50s subtracted",
    means: "the same overhead in milliseconds",
  },
  {
    name: "list_scaling_ratio",
    scenario: "list",
    how: "p50 of `notes(first: 20)` for the user with 50,000 notes ÷ for the user with 25, interleaved in one process",
    means: "whether a page costs the same however many notes a user has",
    guard: { max: 1.1 },
    detail: "{list_big_p50_ms} ms vs {list_small_p50_ms} ms",
  },
  {
    name: "list_deep_ratio",
    scenario: "list",
    how: "p50 of page 100 (reached by following `endCursor` through the handler) ÷ the small user's first page",
    means: "whether a deep page costs the same as the first",
    detail: "page {list_deep_page}: {list_deep_p50_ms} ms",
  },
  {
    name: "search_scaling_ratio",
    scenario: "search",
    how: "median of per-round ratios (paired rounds): a search page for 50,000 notes with 200 matches ÷ for 500 notes with the same 200 matches",
    means: "whether a search costs the same however many notes do not match",
    guard: { max: 1.25 },
    detail: "{search_page_p50_ms_50k} vs {search_page_p50_ms_500} ms, {search_page_dynamodb_calls_50k} DynamoDB calls each; plain list pages of the same users {search_list_control_ratio}",
  },
  {
    name: "create_search_index_cost",
    scenario: "search",
    how: "median of per-round ratios (paired rounds): `Note.create` of a 400-character note (its search index written first) ÷ the same note's `PutItem` alone, core verbs against dynalite; `create_*_dynamodb_calls_*` and `create_*_index_items` count the calls and group items, also for a 10,000-character note",
    means: "what search adds to every create",
    detail: "{create_typical_p50_ms_with_search} vs {create_typical_p50_ms_without_search} ms, {create_typical_dynamodb_calls_with_search} calls vs {create_typical_dynamodb_calls_without_search}, {create_typical_index_items} items; 10,000 characters: {create_10k_p50_ms_with_search} ms, {create_10k_dynamodb_calls_with_search} calls, {create_10k_index_items} items",
  },
  {
    name: "rps_vs_apollo",
    scenario: "throughput",
    how: "in-process `note(id)` requests/s from 10 concurrent loops, ours ÷ Apollo: median of per-round ratios, rounds alternating; `cpu_us_per_request` is the process's CPU time per request",
    means: "how much work a warm instance does per second of CPU",
    guard: { min: 0.85 },
    detail: "{rps} vs {apollo_rps} req/s; CPU {cpu_us_per_request} vs {apollo_cpu_us_per_request} µs per request",
  },
  {
    name: "http_vs_raw",
    scenario: "http",
    how: "requests/s over loopback with autocannon (10 connections), notes server ÷ a bare `node:http` handler doing the same verification and read: median of per-round ratios, rounds alternating",
    means: "what the GraphQL server costs over HTTP, against no framework at all",
    guard: { min: 0.62 },
    detail: "{http_rps} vs {raw_http_rps} req/s",
  },
  {
    name: "fanout_100_vs_1",
    scenario: "fanout",
    how: "time from sending a `createNote` to its event at the last of 100 WebSocket subscriptions (one user, 100 connections) ÷ the same with 1 subscription, through the local emulation: median of per-round ratios, rounds alternating (the events go out before the mutation answers, so the time starts at the request)",
    means: "whether a change reaches many listeners about as fast as one",
    guard: { max: 3.0 },
    detail: "p50 {fanout_delivery_p50_ms} ms vs {fanout_delivery_p50_ms_1} ms",
  },
  {
    name: "fanout_delivery_p50_ms",
    scenario: "fanout",
    how: "p50 of the same time with 100 subscriptions; `fanout_response_p50_ms` is the mutation's own response time",
    means: "how long a change takes to reach the last of 100 listeners",
    detail: "p95 {fanout_delivery_p95_ms} ms; response p50 {fanout_response_p50_ms} ms",
  },
  {
    name: "cold_profile",
    scenario: "cold-start",
    how: "extra cold starts of ours under `node --cpu-prof` (100 µs sampling); samples split by phase (start-up, import, first request) and by stack, source-mapped; median ms per cost",
    means: "where a cold start's CPU goes",
    profile: true,
  },
  {
    name: "attachment_cold_profile",
    scenario: "cold-start",
    how: "the same for the attachment cold start",
    means: "where the attachment listing's cold start goes",
    profile: true,
  },
];

export type Results = Record<string, unknown>;
export type Verdict = "met" | "missed" | "not measured" | "";

/** "≤ 900,000" / "≥ 0.85". */
export function guardText(guard: Guard | undefined): string {
  if (!guard) return "";
  return "max" in guard ? `≤ ${guard.max.toLocaleString("en")}` : `≥ ${guard.min.toLocaleString("en")}`;
}

export function meets(guard: Guard, value: number): boolean {
  return "max" in guard ? value <= guard.max : value >= guard.min;
}

/** Why a figure has no value in `results`: its scenario's reason, or that nothing measured it. */
export function absentBecause(figure: Figure, results: Results): string | undefined {
  const value = results[figure.name];
  if (value !== null && value !== undefined) return undefined;
  return (results.not_measurable as Record<string, string> | undefined)?.[figure.name] ?? "not measured yet";
}

export function verdictOf(figure: Figure, results: Results): Verdict {
  const value = results[figure.name];
  if (value === undefined || !figure.guard) return "";
  if (value === null) return "not measured";
  return typeof value === "number" && meets(figure.guard, value) ? "met" : "missed";
}

/** A value for a table: thousands separated, a per-size object as "a / b / c", nothing as "-". */
export function formatValue(value: unknown): string {
  if (value === null || value === undefined) return "-";
  if (typeof value === "number") return Math.abs(value) >= 1_000 ? value.toLocaleString("en", { maximumFractionDigits: 3 }) : String(value);
  if (typeof value === "object") return Object.values(value).map(formatValue).join(" / ");
  return String(value);
}

/** One row of the results table: the figure, its value with its context, its guard and its verdict. */
export function rowOf(figure: Figure, results: Results) {
  const value = results[figure.name];
  const absent = absentBecause(figure, results);
  let shown: string;
  if (absent) shown = `- (${absent})`;
  else if (figure.profile) shown = `median of ${(value as { runs: number }).runs} profiled cold starts, below`;
  else shown = `${formatValue(value)}${figure.detail ? ` (${detailOf(figure.detail, results)})` : ""}`;
  return { name: figure.name, value: shown, guard: guardText(figure.guard), verdict: verdictOf(figure, results) };
}

/** A figure's context: each `{key}` filled in; a "; "-separated part whose values the results lack is left out. */
function detailOf(detail: string, results: Results): string {
  const keys = (part: string) => [...part.matchAll(/\{(\w+)\}/g)].map((match) => match[1]!);
  return detail
    .split("; ")
    .filter((part) => keys(part).every((key) => key in results))
    .map((part) => part.replace(/\{(\w+)\}/g, (_, key: string) => formatValue(results[key])))
    .join("; ");
}

/** What the run's JSON says of the guards: each guard, whether it held (null: not measured), and all of them. */
export function judge(results: Results) {
  const guarded = FIGURES.filter((figure) => figure.guard && figure.name in results);
  const targetsMet = Object.fromEntries(
    guarded.map((figure) => {
      const value = results[figure.name];
      return [figure.name, typeof value === "number" ? meets(figure.guard!, value) : null];
    }),
  );
  return {
    guards: Object.fromEntries(FIGURES.filter((figure) => figure.guard).map((figure) => [figure.name, figure.guard])),
    targets_met: targetsMet,
    all_targets_met: Object.values(targetsMet).every((met) => met === true),
    not_measured: Object.fromEntries(
      FIGURES.filter((figure) => !(figure.name in results)).map((figure) => [
        figure.name,
        existsSync(path.join(SCENARIOS_DIR, `${figure.scenario}.ts`)) ? `scenario ${figure.scenario} not in this run` : `no bench/scenarios/${figure.scenario}.ts yet`,
      ]),
    ),
  };
}
