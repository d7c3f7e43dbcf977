import type { LogItem } from "@aws-lambda-powertools/logger";
import { Logger, LogLevelThreshold } from "@aws-lambda-powertools/logger";
import type { Context as LambdaContext } from "aws-lambda";

/**
 * Structured JSON logs, one line per event, written by the Lambda Powertools logger on the Lambda
 * and the local server alike (level, message, timestamp, service, sampling_rate, then fields).
 * POWERTOOLS_LOG_LEVEL (or LOG_LEVEL) sets the threshold; POWERTOOLS_SERVICE_NAME the service.
 */
const LEVELS = ["DEBUG", "INFO", "WARN", "ERROR", "SILENT"] as const;
export type LogLevel = (typeof LEVELS)[number];
type Sink = (line: string, level: LogLevel) => void;
type Fields = Record<string, unknown>;

const LEVEL_NAMES: Record<number, LogLevel> = { 8: "DEBUG", 12: "INFO", 16: "WARN", 20: "ERROR", 24: "ERROR" };

let sink: Sink | undefined;

const REQUEST_MESSAGE = "graphql request";
const REQUEST_MESSAGE_JSON = JSON.stringify(REQUEST_MESSAGE);
const CONCURRENT_INVOCATIONS = Boolean(process.env.AWS_LAMBDA_MAX_CONCURRENCY);
const DEV_OUTPUT = Boolean(process.env.POWERTOOLS_DEV);

class NotesLogger extends Logger {
  // Powertools' rule: only the first invocation of an on-demand environment is a cold start.
  #coldStart = process.env.AWS_LAMBDA_INITIALIZATION_TYPE?.trim() === "on-demand";
  /** The invocation's keys (cold_start, function_arn, ...) as JSON members, from addContext. */
  #invocationJson = "";
  #tenantId: string | undefined;
  /** `,"service":…` and `,"sampling_rate":…`, which sit on either side of the invocation keys. */
  #configJson: [string, string] | undefined;
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
    this.#invocationJson =
      jsonMember("cold_start", this.#coldStart) +
      jsonMember("function_arn", context.invokedFunctionArn) +
      jsonMember("function_memory_size", context.memoryLimitInMB) +
      jsonMember("function_name", context.functionName) +
      jsonMember("function_request_id", context.awsRequestId);
    this.#tenantId = (context as { tenantId?: string }).tenantId;
    this.#coldStart = false;
  }

  /**
   * The request line with the keys and key order of Powertools' default formatter, assembled
   * directly as a string, without Powertools' per-call assembly (environment reads, attribute
   * spreads, a LogItem, removeEmptyKeys; bench/README.md). test/request-log-line.test.ts holds it
   * equal to Powertools' own line. Persistent keys (appendKeys), which this service does not use,
   * would not be on it.
   */
  logRequestLine(fields: RequestLogFields): void {
    if (this.threshold > LogLevelThreshold.INFO) return;
    const timeZone = process.env.TZ;
    // Local-time timestamps, concurrent invocations and indented dev output take Powertools' full path.
    if ((timeZone && !timeZone.includes("UTC")) || CONCURRENT_INVOCATIONS || DEV_OUTPUT) {
      this.info(REQUEST_MESSAGE, fields);
      return;
    }
    if (this.#configJson === undefined) {
      const base = this.createAndPopulateLogItem(LogLevelThreshold.INFO, REQUEST_MESSAGE, []);
      const { service, sampling_rate } = base.getAttributes();
      this.#configJson = [jsonMember("service", service), jsonMember("sampling_rate", sampling_rate)];
    }
    const line =
      `{"level":"INFO","message":${REQUEST_MESSAGE_JSON},"timestamp":"${new Date().toISOString()}"` +
      this.#configJson[0] +
      this.#invocationJson +
      this.#configJson[1] +
      jsonMember("xray_trace_id", xrayTraceId()) +
      jsonMember("tenant_id", this.#tenantId) +
      jsonMember("requestId", fields.requestId) +
      jsonMember("method", fields.method) +
      jsonMember("status", fields.status) +
      jsonMember("durationMs", fields.durationMs) +
      jsonMember("operationName", fields.operationName) +
      jsonMember("errorCodes", fields.errorCodes) +
      jsonMember("userHash", fields.userHash) +
      "}";
    if (sink) sink(line, "INFO");
    else queueRequestLine(line);
  }

  protected override printLog(level: number, item: LogItem): void {
    if (!sink) {
      flushLogs();
      return super.printLog(level, item);
    }
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

/**
 * `,"key":value`, or nothing for the values Powertools leaves off a line (undefined, null, "").
 * Values are plain strings, numbers, booleans and arrays of strings (an empty array stays on).
 */
function jsonMember(key: string, value: unknown): string {
  if (value === undefined || value === null || value === "") return "";
  return `,"${key}":${JSON.stringify(value)}`;
}

/**
 * Request lines not yet written. A write to stdout is a system call (on this benchmark's machine
 * ≈ 4–7 µs each, more than building the line); under concurrent load the local server writes the
 * lines of one event-loop turn together. The Lambda adapter flushes before it returns (the
 * environment may be frozen right after), every other log line flushes them first, and so does
 * the process's exit. A SIGKILL can lose at most one turn's lines.
 */
let pendingLines = "";
let flushScheduled = false;
/** Above this, pending lines are written at once. */
const PENDING_LIMIT_CHARS = 64 * 1024;

function queueRequestLine(line: string): void {
  pendingLines += line + "\n";
  if (pendingLines.length >= PENDING_LIMIT_CHARS) flushLogs();
  else if (!flushScheduled) {
    flushScheduled = true;
    setImmediate(flushScheduledLines);
  }
}

function flushScheduledLines(): void {
  flushScheduled = false;
  flushLogs();
}

/** Writes a line that is already JSON (metrics) with the request lines: queued, or to the test sink. */
export function writeLogLine(line: string): void {
  if (sink) sink(line, "INFO");
  else queueRequestLine(line);
}

/** Writes the request lines still pending (the Lambda adapter calls it before it returns). */
export function flushLogs(): void {
  if (pendingLines === "") return;
  const lines = pendingLines;
  pendingLines = "";
  process.stdout.write(lines);
}

process.on("exit", flushLogs);

const requestedLevel = (
  process.env.POWERTOOLS_LOG_LEVEL?.trim() ||
  process.env.LOG_LEVEL?.trim() ||
  "INFO"
).toUpperCase();

function isLevel(name: string): name is LogLevel {
  return (LEVELS as readonly string[]).includes(name);
}

const logger = new NotesLogger({
  serviceName: process.env.POWERTOOLS_SERVICE_NAME ?? "notes-api",
  logLevel: isLevel(requestedLevel) ? requestedLevel : "INFO",
});
if (!isLevel(requestedLevel)) {
  logger.warn(`log level "${requestedLevel}" is not one of ${LEVELS.join(", ")}; logging at INFO`);
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
