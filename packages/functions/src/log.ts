import { Logger } from "@aws-lambda-powertools/logger";
import type { LogItem } from "@aws-lambda-powertools/logger";
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

class NotesLogger extends Logger {
  protected override printLog(level: number, item: LogItem): void {
    if (!sink) return super.printLog(level, item);
    item.prepareForPrint();
    sink(JSON.stringify(item.getAttributes(), this.getJsonReplacer()), LEVEL_NAMES[level] ?? "INFO");
  }
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
  logger.info("graphql request", fields);
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
