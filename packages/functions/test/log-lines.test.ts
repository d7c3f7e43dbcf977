import { Logger } from "@aws-lambda-powertools/logger";
import type { LogLevel } from "@aws-lambda-powertools/logger/types";
import { InvokeStore, InvokeStoreBase } from "@aws/lambda-invoke-store";
import type { Context as LambdaContext } from "aws-lambda";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { LogWriter, requestedLogLevel } from "../src/log.ts";

/**
 * log.ts writes the lines the Powertools Logger wrote before it (same keys, order, values, streams,
 * levels and start-up warnings): the same calls under the same settings, through both, byte for
 * byte, timestamps included (one frozen clock).
 */
type Fields = Record<string, unknown>;
interface Logs {
  debug(message: string, fields?: Fields): void;
  info(message: string, fields?: Fields): void;
  warn(message: string, fields?: Fields): void;
  error(message: string, fields?: Fields): void;
  addContext(context: LambdaContext): void;
}

const LEVELS = ["DEBUG", "INFO", "WARN", "ERROR", "SILENT"];

/** The Powertools Logger as log.ts configured it, with its start-up warning of a bad level. */
function powertoolsLogger(): Logs {
  const requested = requestedLogLevel(process.env);
  const logger = new Logger({
    serviceName: process.env.POWERTOOLS_SERVICE_NAME ?? "notes-api",
    logLevel: (LEVELS.includes(requested) ? requested : "INFO") as LogLevel,
  });
  if (!LEVELS.includes(requested)) {
    logger.warn(`log level "${requested}" is not one of ${LEVELS.join(", ")}; logging at INFO`);
  }
  return {
    debug: (message, fields) => (fields ? logger.debug(message, fields) : logger.debug(message)),
    info: (message, fields) => (fields ? logger.info(message, fields) : logger.info(message)),
    warn: (message, fields) => (fields ? logger.warn(message, fields) : logger.warn(message)),
    error: (message, fields) => (fields ? logger.error(message, fields) : logger.error(message)),
    addContext: (context) => logger.addContext(context),
  };
}

function ourLogger(): Logs {
  const writer = new LogWriter(requestedLogLevel(process.env));
  return {
    debug: (message, fields) => writer.debug(message, fields),
    info: (message, fields) => writer.info(message, fields),
    warn: (message, fields) => writer.warn(message, fields),
    error: (message, fields) => writer.error(message, fields),
    addContext: (context) => writer.addContext(context),
  };
}

/** Everything written to stdout, stderr and the console while `run` runs, each chunk named by where it went. */
async function output(run: () => unknown): Promise<string[]> {
  const chunks: string[] = [];
  const spies = [
    vi.spyOn(process.stdout, "write").mockImplementation((chunk: string | Uint8Array) => {
      chunks.push(`stdout ${String(chunk)}`);
      return true;
    }),
    vi.spyOn(process.stderr, "write").mockImplementation((chunk: string | Uint8Array) => {
      chunks.push(`stderr ${String(chunk)}`);
      return true;
    }),
    ...(["log", "debug", "info", "warn", "error"] as const).map((method) =>
      vi.spyOn(console, method).mockImplementation((...args: unknown[]) => {
        chunks.push(`console.${method} ${args.join(" ")}`);
      }),
    ),
  ];
  try {
    await run();
  } finally {
    for (const spy of spies) spy.mockRestore();
  }
  return chunks;
}

function context(awsRequestId: string, tenantId?: string): LambdaContext {
  return {
    functionName: "notes-prod-Graphql",
    functionVersion: "$LATEST",
    invokedFunctionArn: "arn:aws:lambda:eu-west-1:123456789012:function:notes-prod-Graphql",
    memoryLimitInMB: "1024",
    awsRequestId,
    ...(tenantId ? { tenantId } : {}),
  } as LambdaContext;
}

// Made once, so both loggers see the same stacks.
const cause = Object.assign(new Error("connect ECONNREFUSED 127.0.0.1:8000"), { code: "ECONNREFUSED", errno: -111 });
const failure = Object.assign(new Error("database unreachable", { cause }), { $metadata: { attempts: 3 } });
failure.name = "TimeoutError";
class Cyclic {
  self = this;
  label = "cyclic";
}

/** What the service logs (see the callers of log.ts), and values a field may hold. */
function scenario(logger: Logs) {
  logger.info("removed stale uploads", { removedObjects: 2, removedRecords: 0 });
  logger.debug("yoga debug", { args: ["Parsing request", { method: "POST" }] });
  logger.warn("token rejected", { requestId: "req-1", reason: "malformed Authorization header" });
  logger.addContext(context("11111111-aaaa"));
  logger.error("unexpected error", { requestId: "req-2", fault: "unreachable", error: failure });
  logger.addContext(context("22222222-bbbb", "tenant-b"));
  const looping: Fields = { name: "loop" };
  looping.again = looping;
  const ring: unknown[] = [1];
  ring.push(ring, 2, ring);
  logger.info("values", {
    nested: { list: [1, "two", { three: 3n }, [4, null, undefined]], empty: {} },
    looping,
    ring,
    cyclic: new Cyclic(),
    when: new Date(0),
    map: new Map([["k", "v"]]),
    url: new URL("https://example.com/a?b=c"),
    skipped: undefined,
    nothing: null,
    blank: "",
    zero: 0,
    no: false,
    function_name: "a field may replace a standard key",
    cold_start: undefined,
    constructor: "never copied",
    quote: 'Quote"Back\\slash\nNew\u2028line \ud83d\ude00',
  });
  logger.warn("reserved keys", { message: "dropped", level: "dropped", timestamp: 1, kept: true });
  logger.error("");
}

beforeEach(() => {
  vi.useFakeTimers({ toFake: ["Date"], now: Date.UTC(2026, 11, 1, 11, 59, 58, 7) });
  vi.stubEnv("_X_AMZN_TRACE_ID", "Root=1-5759e988-bd862e3fe1be46a994272793;Parent=557abcec3ee5a047;Sampled=1");
  for (const name of ["POWERTOOLS_LOG_LEVEL", "LOG_LEVEL", "TZ", "POWERTOOLS_DEV", "AWS_LAMBDA_LOG_LEVEL", "POWERTOOLS_LOGGER_SAMPLE_RATE"]) {
    vi.stubEnv(name, undefined);
  }
});
afterEach(() => {
  vi.useRealTimers();
  vi.unstubAllEnvs();
});

async function expectSameLines(env: Record<string, string | undefined>, run = scenario) {
  for (const [name, value] of Object.entries(env)) vi.stubEnv(name, value);
  const ours = await output(() => run(ourLogger()));
  const powertools = await output(() => run(powertoolsLogger()));
  expect(ours).toEqual(powertools);
  return ours;
}

describe("log lines equal the Powertools Logger's", () => {
  it("at INFO in an on-demand Lambda environment: context keys, cold start, trace id, errors, field values", async () => {
    const lines = await expectSameLines({ AWS_LAMBDA_INITIALIZATION_TYPE: "on-demand" });
    expect(lines).toHaveLength(9);
    expect(lines.join("")).toContain('"cold_start":true');
    expect(lines.join("")).toContain('"location":');
  });

  it("at DEBUG, from LOG_LEVEL, with local-time timestamps", async () => {
    for (const timeZone of ["Europe/Paris", "America/New_York", "Asia/Kolkata", "America/St_Johns", "UTC", "Not/AZone"]) {
      const lines = await expectSameLines({ LOG_LEVEL: "debug", TZ: timeZone });
      expect(lines.join("")).toContain('"level":"DEBUG"');
    }
  });

  it("with a level that is not one, a service name, only ERROR, or nothing", async () => {
    const verbose = await expectSameLines({ POWERTOOLS_LOG_LEVEL: "verbose", POWERTOOLS_SERVICE_NAME: "notes-api-prod" });
    expect(verbose[0]).toContain('log level \\"VERBOSE\\" is not one of');
    const errors = await expectSameLines({ POWERTOOLS_LOG_LEVEL: "ERROR", POWERTOOLS_SERVICE_NAME: "" });
    expect(errors.map((line) => JSON.parse(line.slice("stderr ".length)).service)).toEqual(["service_undefined", "service_undefined"]);
    expect(await expectSameLines({ POWERTOOLS_LOG_LEVEL: "SILENT" })).toEqual([]);
  });

  it("under Lambda's advanced logging controls (AWS_LAMBDA_LOG_LEVEL), which override the level", async () => {
    await expectSameLines({ AWS_LAMBDA_LOG_LEVEL: "WARN", POWERTOOLS_LOG_LEVEL: "DEBUG" });
    await expectSameLines({ AWS_LAMBDA_LOG_LEVEL: "DEBUG", POWERTOOLS_LOG_LEVEL: "WARN" });
    await expectSameLines({ AWS_LAMBDA_LOG_LEVEL: "FATAL" }, (logger) => {
      scenario(logger);
      logger.error("still written");
    });
  });

  it("with a sample rate: the sampled cold start logs at DEBUG and says so", async () => {
    const lines = await expectSameLines({ POWERTOOLS_LOGGER_SAMPLE_RATE: "1" });
    expect(lines.join("")).toContain("Setting log level to DEBUG due to sampling rate");
    await expectSameLines({ POWERTOOLS_LOGGER_SAMPLE_RATE: "0", LOG_LEVEL: "WARN" });
    await expectSameLines({ POWERTOOLS_LOGGER_SAMPLE_RATE: "1", AWS_LAMBDA_LOG_LEVEL: "INFO" });
  });

  it("indented, through the console, with stacks as lines in dev mode (POWERTOOLS_DEV)", async () => {
    const lines = await expectSameLines({ POWERTOOLS_DEV: "true", LOG_LEVEL: "DEBUG" });
    expect(lines.every((line) => line.startsWith("console."))).toBe(true);
  });

  it("with invocations side by side (Lambda Managed Instances): each line has its own invocation's keys", async () => {
    const store = await InvokeStore.getInstanceAsync(true);
    const runtime = globalThis as { awslambda?: { InvokeStore?: unknown } };
    runtime.awslambda ??= {};
    runtime.awslambda.InvokeStore = store;
    try {
      const invocation = (logger: Logs, id: string, trace: string) =>
        store.run({ [InvokeStoreBase.PROTECTED_KEYS.REQUEST_ID]: id, [InvokeStoreBase.PROTECTED_KEYS.X_RAY_TRACE_ID]: trace }, async () => {
          logger.addContext(context(id));
          await new Promise((resolve) => setImmediate(resolve));
          logger.info("inside", { id });
        });
      const lines = await expectSameLines({ AWS_LAMBDA_MAX_CONCURRENCY: "4", AWS_LAMBDA_INITIALIZATION_TYPE: "on-demand" }, (logger) =>
        Promise.all([invocation(logger, "aaaa", "Root=1-aaaa;Sampled=1"), invocation(logger, "bbbb", "Root=1-bbbb;Sampled=0")]).then(() =>
          logger.info("outside"),
        ),
      );
      expect(lines).toHaveLength(3);
      expect(lines[0]).toContain('"function_request_id":"aaaa"');
      expect(lines[1]).toContain('"function_request_id":"bbbb"');
    } finally {
      delete runtime.awslambda!.InvokeStore;
    }
  });
});

describe("a sample rate that is not one", () => {
  it("is a warning and no sampling, where Powertools would fail the cold start or say nothing", async () => {
    for (const rate of ["often", "2"]) {
      vi.stubEnv("POWERTOOLS_LOGGER_SAMPLE_RATE", rate);
      const lines = await output(() => ourLogger().info("after"));
      expect(lines[0]).toContain(`"message":"POWERTOOLS_LOGGER_SAMPLE_RATE \\"${rate}\\" is not a number from 0 to 1; sampling_rate 0"`);
      expect(lines[0]).toMatch(/^stderr /);
      expect(lines[1]).toContain('"sampling_rate":0');
    }
  });
});
