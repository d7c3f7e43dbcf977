import { LogItem, Logger, LogLevelThreshold } from "@aws-lambda-powertools/logger";
import type { Context as LambdaContext } from "aws-lambda";

/**
 * Structured JSON logs, one line per event, written by the Lambda Powertools logger on the Lambda
 * and the local server alike (level, message, timestamp, service, sampling_rate, then fields).
 * POWERTOOLS_LOG_LEVEL (or LOG_LEVEL) sets the threshold; POWERTOOLS_SERVICE_NAME the service.
 */
export type LogLevel = "DEBUG" | "INFO" | "WARN" | "ERROR" | "SILENT";
type Sink = (line: string, level: LogLevel) => void;
type Fields = Record<string, unknown>;

const LEVEL_NAMES: Record<number, LogLevel> = { 8: "DEBUG", 12: "INFO", 16: "WARN", 20: "ERROR", 24: "ERROR" };

let sink: Sink | undefined;

const REQUEST_MESSAGE = "graphql request";
const CONCURRENT_INVOCATIONS = Boolean(process.env.AWS_LAMBDA_MAX_CONCURRENCY);
const DEV_OUTPUT = Boolean(process.env.POWERTOOLS_DEV);

class NotesLogger extends Logger {
  // Powertools' rule: only the first invocation of an on-demand environment is a cold start.
  #coldStart = process.env.AWS_LAMBDA_INITIALIZATION_TYPE?.trim() === "on-demand";
  #invocationKeys: Record<string, unknown> = {};
  #tenantId: string | undefined;
  #configKeys: { service: unknown; sampling_rate: unknown } | undefined;
  #threshold: number | undefined;

  /** The level as a number; Powertools' `level` getter consults its invocation store on every read. */
  get threshold(): number {
    // With concurrent invocations the level is per invocation, so it is read every time.
    if (CONCURRENT_INVOCATIONS) return this.level;
    return (this.#threshold ??= this.level);
  }

  override setLogLevel(logLevel: Parameters<Logger["setLogLevel"]>[0]): void {
    super.setLogLevel(logLevel);
    this.#threshold = undefined;
  }

  override addContext(context: LambdaContext): void {
    super.addContext(context);
    this.#invocationKeys = {
      cold_start: this.#coldStart,
      function_arn: context.invokedFunctionArn,
      function_memory_size: context.memoryLimitInMB,
      function_name: context.functionName,
      function_request_id: context.awsRequestId,
    };
    this.#tenantId = (context as { tenantId?: string }).tenantId;
    this.#coldStart = false;
  }

  /**
   * The request line with the keys and key order of Powertools' default formatter, assembled
   * directly: Powertools' per-call assembly cost ~30 µs of CPU per request (bench/README.md).
   * test/request-log-line.test.ts holds it equal to Powertools' own line. Persistent keys
   * (appendKeys), which this service does not use, would not be on it.
   */
  logRequestLine(fields: RequestLogFields): void {
    if (this.threshold > LogLevelThreshold.INFO) return;
    const timeZone = process.env.TZ;
    // Local-time timestamps, concurrent invocations and indented dev output take Powertools' full path.
    if ((timeZone && !timeZone.includes("UTC")) || CONCURRENT_INVOCATIONS || DEV_OUTPUT) {
      this.info(REQUEST_MESSAGE, fields);
      return;
    }
    if (!this.#configKeys) {
      const base = this.createAndPopulateLogItem(LogLevelThreshold.INFO, REQUEST_MESSAGE, []);
      const { service, sampling_rate } = base.getAttributes();
      this.#configKeys = { service, sampling_rate };
    }
    const item = new LogItem({
      attributes: {
        level: "INFO",
        message: REQUEST_MESSAGE,
        timestamp: new Date().toISOString(),
        service: this.#configKeys.service,
        ...this.#invocationKeys,
        sampling_rate: this.#configKeys.sampling_rate,
        xray_trace_id: xrayTraceId(),
        tenant_id: this.#tenantId,
        ...fields,
      },
    });
    item.prepareForPrint();
    // Plain data only, so no replacer; Powertools' own console also writes to process.stdout.
    const line = JSON.stringify(item.getAttributes());
    if (sink) sink(line, "INFO");
    else process.stdout.write(line + "\n");
  }

  protected override printLog(level: number, item: LogItem): void {
    if (!sink) return super.printLog(level, item);
    item.prepareForPrint();
    sink(JSON.stringify(item.getAttributes(), this.getJsonReplacer()), LEVEL_NAMES[level] ?? "INFO");
  }
}

/** The Root of the invocation's X-Ray trace header, read where Powertools reads it. */
function xrayTraceId(): string | undefined {
  type Runtime = { awslambda?: { InvokeStore?: { getXRayTraceId(): string | undefined } } };
  const awslambda = (globalThis as Runtime).awslambda;
  const header = awslambda?.InvokeStore?.getXRayTraceId() ?? process.env._X_AMZN_TRACE_ID ?? "";
  if (header === "") return undefined;
  if (!header.includes("=")) return header;
  for (const field of header.split(";")) {
    const [key, value] = field.split("=");
    if (key === "Root") return value;
  }
  return undefined;
}

const logger = new NotesLogger({
  serviceName: process.env.POWERTOOLS_SERVICE_NAME ?? "notes-api",
  logLevel: parseLevel(process.env.POWERTOOLS_LOG_LEVEL ?? process.env.LOG_LEVEL),
});

function parseLevel(value: string | undefined): LogLevel {
  const upper = (value ?? "INFO").toUpperCase();
  return (["DEBUG", "INFO", "WARN", "ERROR", "SILENT"] as string[]).includes(upper)
    ? (upper as LogLevel)
    : "INFO";
}

export const log = {
  debug: (message: string, fields?: Fields) => (fields ? logger.debug(message, fields) : logger.debug(message)),
  info: (message: string, fields?: Fields) => (fields ? logger.info(message, fields) : logger.info(message)),
  warn: (message: string, fields?: Fields) => (fields ? logger.warn(message, fields) : logger.warn(message)),
  error: (message: string, fields?: Fields) => (fields ? logger.error(message, fields) : logger.error(message)),
  /** Adds the invocation's standard keys (cold_start, function_request_id, ...) to later lines. */
  addLambdaContext: (context: LambdaContext) => logger.addContext(context),
  isDebugEnabled: () => logger.threshold <= LogLevelThreshold.DEBUG,
};

/** The one line every HTTP request produces, whichever runtime and however it ended. */
export type RequestLogFields = {
  requestId: string | undefined;
  method: string;
  status: number;
  durationMs: number | null;
  operationName: string | null;
  errorCodes: readonly string[];
  /** A pseudonym of the caller's id (never the id, the token or any content). */
  userHash: string | null;
};

export function logRequest(fields: RequestLogFields): void {
  logger.logRequestLine(fields);
}

/** Milliseconds since a performance.now() reading, to 0.01 ms. */
export function elapsedMs(since: number): number {
  return Math.round((performance.now() - since) * 100) / 100;
}

/** Redirects log lines (tests read them); returns a function that restores the default. */
export function captureLogs(next: Sink, level: LogLevel = "DEBUG"): () => void {
  const previous = { sink, level: logger.getLevelName() as LogLevel };
  sink = next;
  logger.setLogLevel(level);
  return () => {
    sink = previous.sink;
    logger.setLogLevel(previous.level);
  };
}
