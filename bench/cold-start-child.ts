import { pathToFileURL } from "node:url";
import { graphqlEvent, lambdaContext } from "./events.ts";

/**
 * One cold start, in a fresh Node process: import the bundle, then one request through its
 * handler. Reports milliseconds since the process started (performance.now()'s origin) and, with
 * `warm` > 0, the resident memory after that many more requests (what the instance holds warm).
 */
type Handler = (event: unknown, context: unknown) => Promise<{ statusCode?: number; body?: string }>;

export interface ColdStartSpec {
  bundle: string;
  /** The first request, and a string its 200 answer must contain. */
  first: { token: string; body: string; expect: string };
  /** Sequential requests after the first, each answered byte for byte like the first of them. */
  warm?: { count: number; token: string; body: string };
}

export interface ColdStartReport {
  ok: boolean;
  /** CLOCK_MONOTONIC µs (the clock of V8's CPU profiles) when the import starts and the answer is in. */
  marks: { importStartUs: number; importedUs: number; answeredUs: number };
  importedMs: number;
  answeredMs: number;
  /** CPU time (user + system, all threads) of the process until the answer. */
  cpuMs: number;
  status?: number;
  body?: string;
  rssBytes?: number;
  maxRssBytes?: number;
  heapUsedBytes?: number;
}

const monotonicUs = () => Number(process.hrtime.bigint() / 1000n);
const spec = JSON.parse(process.argv[2]!) as ColdStartSpec;
const importStartUs = monotonicUs();
const { handler } = (await import(pathToFileURL(spec.bundle).href)) as { handler: Handler };
const importedMs = performance.now();
const importedUs = monotonicUs();
const result = await handler(graphqlEvent(spec.first.token, spec.first.body), lambdaContext());
const answeredMs = performance.now();
const answeredUs = monotonicUs();
const cpu = process.cpuUsage();
const answered = result.statusCode === 200 && result.body?.includes(spec.first.expect) === true;
const report: ColdStartReport = {
  ok: answered,
  marks: { importStartUs, importedUs, answeredUs },
  importedMs,
  answeredMs,
  cpuMs: (cpu.user + cpu.system) / 1000,
  status: result.statusCode,
  body: answered ? undefined : result.body?.slice(0, 500),
};
if (answered && spec.warm) {
  let expected: string | undefined;
  for (let i = 0; i < spec.warm.count; i++) {
    const { statusCode, body } = await handler(graphqlEvent(spec.warm.token, spec.warm.body), lambdaContext());
    expected ??= statusCode === 200 && body && !body.includes('"errors"') ? body : undefined;
    if (body !== expected) {
      Object.assign(report, { ok: false, status: statusCode, body: body?.slice(0, 500) });
      break;
    }
  }
  report.rssBytes = process.memoryUsage().rss;
  report.maxRssBytes = process.resourceUsage().maxRSS * 1024;
  report.heapUsedBytes = process.memoryUsage().heapUsed;
}
process.send!(report, () => process.exit(0));
