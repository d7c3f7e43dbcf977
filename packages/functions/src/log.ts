import { randomInt } from "node:crypto";
import type { Context as LambdaContext } from "aws-lambda";
import { powertoolsBoolean } from "./env-flag.ts";

/**
 * Structured JSON logs, one line per event, on the Lambda and the local server alike, in the line
 * shapes of the Powertools for AWS Lambda Logger: level, message, timestamp, service, the Lambda
 * invocation's keys, sampling_rate, xray_trace_id, tenant_id, then the fields. Written here rather
 * than through Powertools, which cost the Lambda ≈ 23 KB of bundle and ≈ 1 ms of every cold start
 * (docs/operations.md); test/log-lines.test.ts holds every line equal to Powertools' own.
 *
 * POWERTOOLS_LOG_LEVEL (or LOG_LEVEL) sets the threshold and Lambda's AWS_LAMBDA_LOG_LEVEL
 * overrides it; POWERTOOLS_SERVICE_NAME sets the service; POWERTOOLS_LOGGER_SAMPLE_RATE the share
 * of cold starts that log at DEBUG; a true POWERTOOLS_DEV indents lines for reading.
 */
const THRESHOLDS = { TRACE: 6, DEBUG: 8, INFO: 12, WARN: 16, ERROR: 20, CRITICAL: 24, SILENT: 28 } as const;
type Threshold = keyof typeof THRESHOLDS;
const LEVEL_OF = Object.fromEntries(Object.entries(THRESHOLDS).map(([name, value]) => [value, name])) as Record<number, Threshold>;

/** The levels POWERTOOLS_LOG_LEVEL / LOG_LEVEL accept. */
const LEVELS = ["DEBUG", "INFO", "WARN", "ERROR", "SILENT"] as const;
export type LogLevel = (typeof LEVELS)[number];
type Sink = (line: string, level: LogLevel) => void;
type Fields = Record<string, unknown>;

const SINK_LEVELS: Record<number, LogLevel> = { 8: "DEBUG", 12: "INFO", 16: "WARN", 20: "ERROR", 24: "ERROR" };
const CONSOLE_METHODS: Record<number, "debug" | "info" | "warn" | "error"> = { 8: "debug", 12: "info", 16: "warn", 20: "error", 24: "error" };
/** Keys of a line that fields may not replace. */
const RESERVED_KEYS = new Set(["level", "message", "sampling_rate", "service", "timestamp"]);
/** Keys a copied field object never carries (prototype pollution). */
const UNSAFE_KEYS = new Set(["__proto__", "constructor"]);

let sink: Sink | undefined;

const REQUEST_MESSAGE = "graphql request";
const REQUEST_MESSAGE_JSON = JSON.stringify(REQUEST_MESSAGE);

/** The invocation's keys on every line (Lambda's context, cold start decided per environment). */
interface InvocationKeys {
  coldStart: boolean;
  invokedFunctionArn: string;
  memoryLimitInMB: string | number;
  functionName: string;
  awsRequestId: string;
  tenantId: string | undefined;
}

interface InvokeStore {
  hasContext(): boolean;
  get(key: symbol): unknown;
  set(key: symbol, value: unknown): void;
  getXRayTraceId(): string | undefined;
}

function lambdaRuntimeStore(): InvokeStore | undefined {
  return (globalThis as { awslambda?: { InvokeStore?: InvokeStore } }).awslambda?.InvokeStore;
}

/**
 * One logger's settings and state, read from the environment when it is made (the module makes
 * one at start-up; tests make more to compare with Powertools under other settings).
 */
export class LogWriter {
  readonly #service = (process.env.POWERTOOLS_SERVICE_NAME ?? "notes-api") || "service_undefined";
  readonly #dev = powertoolsBoolean(process.env.POWERTOOLS_DEV) === true;
  /** Lambda Managed Instances run invocations side by side: their keys live in the runtime's store. */
  readonly #concurrent = Boolean(process.env.AWS_LAMBDA_MAX_CONCURRENCY?.trim());
  readonly #invocationKey = Symbol("notes.log.invocation");
  // Only the first invocation of an on-demand environment is a cold start (Powertools' rule).
  #coldStart = process.env.AWS_LAMBDA_INITIALIZATION_TYPE?.trim() === "on-demand";
  #invocation: InvocationKeys | undefined;
  /** The invocation's keys as JSON members, for the request line. */
  #invocationJson = "";
  #samplingRate = 0;
  #threshold: number = THRESHOLDS.INFO;
  /** Lambda's advanced logging controls: when set, their level is the level. */
  readonly #lambdaLevel: Threshold | undefined;
  readonly #warnedOnce = new Set<string>();
  readonly #localTimes = new Map<string, { format: Intl.DateTimeFormat; known: boolean }>();
  #timeZoneWarned = false;

  constructor(requestedLevel: string) {
    const startup: [number, string][] = [];
    const lambdaLevel = process.env.AWS_LAMBDA_LOG_LEVEL?.trim() ?? "";
    const alc = lambdaLevel === "FATAL" ? "CRITICAL" : lambdaLevel;
    this.#lambdaLevel = Object.hasOwn(THRESHOLDS, alc) ? (alc as Threshold) : undefined;
    this.#setLevel(isLevel(requestedLevel) ? requestedLevel : "INFO", startup);
    const sampleRate = process.env.POWERTOOLS_LOGGER_SAMPLE_RATE?.trim() || "0";
    const rate = Number(sampleRate);
    if (rate >= 0 && rate <= 1) this.#samplingRate = rate;
    else startup.push([THRESHOLDS.WARN, `POWERTOOLS_LOGGER_SAMPLE_RATE "${sampleRate}" is not a number from 0 to 1; sampling_rate 0`]);
    // POWERTOOLS_LOGGER_SAMPLE_RATE of the cold starts log at DEBUG (Powertools' draw).
    if (this.#samplingRate > 0 && randomInt(0, 100) / 100 <= this.#samplingRate && this.#threshold > THRESHOLDS.TRACE) {
      this.#setLevel("DEBUG", startup);
      startup.push([THRESHOLDS.DEBUG, "Setting log level to DEBUG due to sampling rate"]);
    }
    if (!isLevel(requestedLevel)) {
      startup.push([THRESHOLDS.WARN, `log level "${requestedLevel}" is not one of ${LEVELS.join(", ")}; logging at INFO`]);
    }
    for (const [level, message] of startup) this.#write(level, message);
  }

  debug(message: string, fields?: Fields): void {
    this.#write(THRESHOLDS.DEBUG, message, fields);
  }

  info(message: string, fields?: Fields): void {
    this.#write(THRESHOLDS.INFO, message, fields);
  }

  warn(message: string, fields?: Fields): void {
    this.#write(THRESHOLDS.WARN, message, fields);
  }

  error(message: string, fields?: Fields): void {
    this.#write(THRESHOLDS.ERROR, message, fields);
  }

  get threshold(): number {
    return this.#threshold;
  }

  get levelName(): Threshold {
    return LEVEL_OF[this.#threshold]!;
  }

  setLevel(level: Threshold): void {
    const warnings: [number, string][] = [];
    this.#setLevel(level, warnings);
    for (const [threshold, message] of warnings) this.#write(threshold, message);
  }

  /** With Lambda's advanced logging controls on, their level stays: a more verbose one only warns, once. */
  #setLevel(level: Threshold, warnings: [number, string][]): void {
    const lambdaLevel = this.#lambdaLevel;
    if (lambdaLevel === undefined) {
      this.#threshold = THRESHOLDS[level];
      return;
    }
    this.#threshold = THRESHOLDS[lambdaLevel];
    const warning = `Current log level (${level}) does not match AWS Lambda Advanced Logging Controls minimum log level (${lambdaLevel}). This can lead to data loss, consider adjusting them.`;
    if (THRESHOLDS[level] < this.#threshold && !this.#warnedOnce.has(warning)) {
      this.#warnedOnce.add(warning);
      warnings.push([THRESHOLDS.WARN, warning]);
    }
  }

  addContext(context: LambdaContext): void {
    const invocation: InvocationKeys = {
      coldStart: this.#coldStart,
      invokedFunctionArn: context.invokedFunctionArn,
      memoryLimitInMB: context.memoryLimitInMB,
      functionName: context.functionName,
      awsRequestId: context.awsRequestId,
      tenantId: (context as { tenantId?: string }).tenantId,
    };
    this.#coldStart = false;
    const store = this.#invocationStore();
    if (store) store.set(this.#invocationKey, invocation);
    else this.#invocation = invocation;
    this.#invocationJson =
      jsonMember("cold_start", invocation.coldStart) +
      jsonMember("function_arn", invocation.invokedFunctionArn) +
      jsonMember("function_memory_size", invocation.memoryLimitInMB) +
      jsonMember("function_name", invocation.functionName) +
      jsonMember("function_request_id", invocation.awsRequestId);
  }

  #invocationStore(): InvokeStore | undefined {
    if (!this.#concurrent) return undefined;
    const store = lambdaRuntimeStore();
    return store?.hasContext() ? store : undefined;
  }

  #currentInvocation(): InvocationKeys | undefined {
    const scoped = this.#invocationStore()?.get(this.#invocationKey) as InvocationKeys | undefined;
    return scoped ?? this.#invocation;
  }

  /** One line at `level` if the threshold lets it through: fields after the standard keys. */
  #write(level: number, message: string, fields?: Fields): void {
    if (level < this.#threshold) return;
    const timestamp = this.#timestamp(new Date());
    const invocation = this.#currentInvocation();
    const line: Record<string, unknown> = {
      level: LEVEL_OF[level],
      message,
      timestamp,
      service: this.#service,
      cold_start: invocation?.coldStart,
      function_arn: invocation?.invokedFunctionArn,
      function_memory_size: invocation?.memoryLimitInMB,
      function_name: invocation?.functionName,
      function_request_id: invocation?.awsRequestId,
      sampling_rate: this.#samplingRate,
      xray_trace_id: xrayTraceId(),
      tenant_id: invocation?.tenantId,
    };
    if (fields) {
      const extra: Fields = {};
      for (const [key, value] of Object.entries(fields)) {
        if (RESERVED_KEYS.has(key)) this.#write(THRESHOLDS.WARN, `The key "${key}" is a reserved key and will be dropped.`);
        else extra[key] = value;
      }
      copyInto(line, extra, []);
    }
    for (const key in line) if (line[key] === undefined || line[key] === null || line[key] === "") delete line[key];
    if (sink) {
      sink(JSON.stringify(line, this.#replacer()), SINK_LEVELS[level] ?? "INFO");
      return;
    }
    flushLogs();
    const text = JSON.stringify(line, this.#replacer(), this.#dev ? 4 : 0);
    // Where Powertools writes: stdout, stderr from WARN up; in dev mode the global console.
    if (this.#dev) console[CONSOLE_METHODS[level] ?? "log"](text);
    else (level >= THRESHOLDS.WARN ? process.stderr : process.stdout).write(`${text}\n`);
  }

  /**
   * The request line with the keys and key order of any other line, assembled directly as a
   * string from precomputed parts: a request pays no object, merge or replacer (bench/README.md).
   * test/request-log-line.test.ts holds it equal to Powertools' line.
   */
  logRequestLine(fields: RequestLogFields): void {
    if (this.#threshold > THRESHOLDS.INFO) return;
    const timeZone = process.env.TZ?.trim();
    // Local-time timestamps, side-by-side invocations and indented output take the general path.
    if ((timeZone && !timeZone.includes("UTC")) || this.#concurrent || this.#dev) {
      this.#write(THRESHOLDS.INFO, REQUEST_MESSAGE, fields);
      return;
    }
    const invocation = this.#invocation;
    const line =
      `{"level":"INFO","message":${REQUEST_MESSAGE_JSON},"timestamp":"${new Date().toISOString()}"` +
      jsonMember("service", this.#service) +
      this.#invocationJson +
      jsonMember("sampling_rate", this.#samplingRate) +
      jsonMember("xray_trace_id", xrayTraceId()) +
      jsonMember("tenant_id", invocation?.tenantId) +
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

  /**
   * ISO 8601 in UTC, or in TZ's local time with its offset (Powertools' arithmetic, kept so lines
   * stay identical); an unknown TZ warns once and counts as UTC.
   */
  #timestamp(now: Date): string {
    const timeZone = process.env.TZ?.trim();
    if (!timeZone || timeZone.includes("UTC")) return now.toISOString();
    let local = this.#localTimes.get(timeZone);
    if (!local) {
      local = this.#localTime(timeZone);
      this.#localTimes.set(timeZone, local);
    }
    const part: Record<string, string> = {};
    for (const { type, value } of local.format.formatToParts(now)) part[type] = value;
    const offset = local.known ? -now.getTimezoneOffset() : 0;
    const hours = String(Math.abs(Math.floor(offset / 60))).padStart(2, "0");
    const minutes = String(Math.abs(offset % 60)).padStart(2, "0");
    const millis = String(now.getMilliseconds()).padStart(3, "0");
    return `${part.year}-${part.month}-${part.day}T${part.hour}:${part.minute}:${part.second}.${millis}${offset >= 0 ? "+" : "-"}${hours}:${minutes}`;
  }

  #localTime(timeZone: string): { format: Intl.DateTimeFormat; known: boolean } {
    let known = true;
    try {
      new Intl.DateTimeFormat("en", { timeZone });
    } catch {
      known = false;
      if (!this.#timeZoneWarned) {
        this.#timeZoneWarned = true;
        console.warn(`Invalid or unresolvable time zone: "${timeZone}" - falling back to UTC.`);
      }
    }
    const digits = "2-digit";
    const format = new Intl.DateTimeFormat("en", {
      hourCycle: "h23",
      year: "numeric",
      month: digits,
      day: digits,
      hour: digits,
      minute: digits,
      second: digits,
      timeZone: known ? timeZone : "UTC",
    });
    return { format, known };
  }

  /**
   * JSON.stringify's replacer: errors as { name, location, message, stack, cause, own keys },
   * bigints as strings, and an object met again inside itself left out.
   */
  #replacer(): (this: unknown, key: string, value: unknown) => unknown {
    const ancestors: unknown[] = [];
    const formatError = (error: Error): Record<string, unknown> => {
      const { name, message, stack, cause, ...own } = error as Error & Record<string, unknown>;
      const formatted: Record<string, unknown> = {
        name,
        location: codeLocation(stack),
        message,
        stack: this.#dev && typeof stack === "string" ? stack.split("\n") : stack,
        cause: cause instanceof Error ? formatError(cause) : cause,
      };
      for (const key in error) if (!ERROR_KEYS.has(key)) formatted[key] = own[key];
      return formatted;
    };
    return function (this: unknown, _key: string, value: unknown) {
      const replaced = value instanceof Error ? formatError(value) : value;
      if (typeof replaced === "bigint") return replaced.toString();
      if (typeof replaced === "object" && replaced !== null) {
        while (ancestors.length > 0 && ancestors.at(-1) !== this) ancestors.pop();
        if (ancestors.includes(replaced)) return undefined;
        ancestors.push(replaced);
      }
      return replaced;
    };
  }
}

const ERROR_KEYS = new Set(["name", "message", "stack", "cause"]);

/** The first `(file:line:column)` frame of a stack, as `file:line`. */
function codeLocation(stack: string | undefined): string {
  if (!stack) return "";
  for (const frame of stack.split("\n")) {
    const match = /\(([^()]*?):(\d+?):(\d+?)\)\\?$/.exec(frame);
    if (match) return `${match[1]}:${Number(match[2])}`;
  }
  return "";
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (typeof value !== "object" || value === null) return false;
  const prototype = Object.getPrototypeOf(value);
  return prototype === Object.prototype || prototype === null;
}

/**
 * The fields onto a line the way Powertools merges them: plain objects and arrays are copied (a
 * reference back to one that encloses it left out), anything else is kept as it is, and an
 * undefined field never hides a standard key's value.
 */
function copyInto(target: Record<string, unknown>, source: object, ancestors: unknown[]): Record<string, unknown> {
  for (const key of Object.keys(source)) {
    if (UNSAFE_KEYS.has(key)) continue;
    const value = (source as Record<string, unknown>)[key];
    if (Array.isArray(value) || isPlainObject(value)) {
      if (ancestors.includes(value)) continue;
      target[key] = copyOf(value, ancestors);
    } else if (value !== undefined || target[key] === undefined) {
      target[key] = value;
    }
  }
  return target;
}

function copyOf(value: unknown[] | Record<string, unknown>, ancestors: unknown[]): unknown {
  ancestors.push(value);
  let copy: unknown;
  if (Array.isArray(value)) {
    const items: unknown[] = [];
    for (let i = 0; i < value.length; i++) {
      const item = value[i];
      if (Array.isArray(item) || isPlainObject(item)) {
        if (!ancestors.includes(item)) items[i] = copyOf(item, ancestors);
      } else items[i] = item;
    }
    copy = items;
  } else copy = copyInto({}, value, ancestors);
  ancestors.pop();
  return copy;
}

/** The Root of the invocation's X-Ray trace header, read where Powertools reads it. */
function xrayTraceId(): string | undefined {
  const header = lambdaRuntimeStore()?.getXRayTraceId() ?? process.env._X_AMZN_TRACE_ID?.trim() ?? "";
  if (header === "") return undefined;
  if (!header.includes("=")) return header;
  for (const field of header.split(";")) {
    const [key, value] = field.split("=");
    if (key === "Root") return value;
  }
  return undefined;
}

/**
 * `,"key":value`, or nothing for the values a line leaves off (undefined, null, "").
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

function isLevel(name: string): name is LogLevel {
  return (LEVELS as readonly string[]).includes(name);
}

/** The level POWERTOOLS_LOG_LEVEL or LOG_LEVEL ask for, as given (checked by LogWriter). */
export function requestedLogLevel(env: NodeJS.ProcessEnv): string {
  return (env.POWERTOOLS_LOG_LEVEL?.trim() || env.LOG_LEVEL?.trim() || "INFO").toUpperCase();
}

const logger = new LogWriter(requestedLogLevel(process.env));

export const log = {
  debug: (message: string, fields?: Fields) => logger.debug(message, fields),
  info: (message: string, fields?: Fields) => logger.info(message, fields),
  warn: (message: string, fields?: Fields) => logger.warn(message, fields),
  error: (message: string, fields?: Fields) => logger.error(message, fields),
  /** Adds the invocation's standard keys (cold_start, function_request_id, ...) to later lines. */
  addLambdaContext: (context: LambdaContext) => logger.addContext(context),
  isDebugEnabled: () => logger.threshold <= THRESHOLDS.DEBUG,
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
  const previous = { sink, level: logger.levelName };
  sink = next;
  logger.setLevel(level);
  return () => {
    sink = previous.sink;
    logger.setLevel(previous.level);
  };
}
