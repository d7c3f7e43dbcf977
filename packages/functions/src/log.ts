import { Logger } from "@aws-lambda-powertools/logger";

/**
 * The function's one Powertools Logger, made at module load as Powertools advises: structured JSON
 * lines with the Lambda context's keys once the handler adds it (http/lambda.ts). Powertools reads
 * POWERTOOLS_SERVICE_NAME, POWERTOOLS_LOGGER_SAMPLE_RATE, POWERTOOLS_DEV and Lambda's
 * AWS_LAMBDA_LOG_LEVEL itself; the level comes from POWERTOOLS_LOG_LEVEL or LOG_LEVEL (either case).
 */
const LEVELS = ["DEBUG", "INFO", "WARN", "ERROR", "SILENT"] as const;
export type LogLevel = (typeof LEVELS)[number];

/** The level POWERTOOLS_LOG_LEVEL or LOG_LEVEL ask for, upper-cased, as given. */
function requestedLogLevel(env: NodeJS.ProcessEnv): string {
  return (env.POWERTOOLS_LOG_LEVEL?.trim() || env.LOG_LEVEL?.trim() || "INFO").toUpperCase();
}

const requested = requestedLogLevel(process.env);
const known = (LEVELS as readonly string[]).includes(requested);

export const log = new Logger({
  serviceName: process.env.POWERTOOLS_SERVICE_NAME ?? "notes-api",
  logLevel: known ? (requested as LogLevel) : "INFO",
});
// Powertools would fall back to INFO silently; a typo in the setting deserves a line.
if (!known) log.warn(`log level "${requested}" is not one of ${LEVELS.join(", ")}; logging at INFO`);

/** Milliseconds since a performance.now() reading, to 0.01 ms. */
export function elapsedMs(since: number): number {
  return Math.round((performance.now() - since) * 100) / 100;
}

/**
 * For tests: every JSON log line the process writes (stdout and stderr, where Powertools writes)
 * goes to `next` instead, at `level`; EMF lines and anything that is not a log line pass through.
 * Returns a function that restores both.
 */
export function captureLogs(next: (line: string) => void, level: LogLevel = "DEBUG"): () => void {
  const previousLevel = log.getLevelName();
  log.setLogLevel(level);
  const taps = [process.stdout, process.stderr].map((stream) => tapLines(stream, next, (line) => !line.startsWith('{"_aws"')));
  return () => {
    for (const tap of taps) tap.restore();
    log.setLogLevel(previousLevel);
  };
}

/**
 * Sends each JSON line written to `stream` (those `take` accepts) to `next` instead; every other
 * line passes. Returns the stream's own write (to print past the tap) and a restore.
 */
export function tapLines(
  stream: NodeJS.WriteStream,
  next: (line: string) => void,
  take: (line: string) => boolean = () => true,
): { write: (text: string) => boolean; restore: () => void } {
  const write = stream.write;
  stream.write = function (this: NodeJS.WriteStream, chunk: unknown, ...rest: unknown[]) {
    const text = typeof chunk === "string" ? chunk : Buffer.from(chunk as Uint8Array).toString();
    const others: string[] = [];
    for (const line of text.split("\n")) {
      if (line.startsWith("{") && take(line)) next(line);
      else if (line !== "") others.push(line);
    }
    if (others.length === 0) {
      const callback = rest.find((arg) => typeof arg === "function") as (() => void) | undefined;
      callback?.();
      return true;
    }
    return (write as (...args: unknown[]) => boolean).call(this, `${others.join("\n")}\n`, ...rest);
  } as typeof stream.write;
  return {
    write: (text) => write.call(stream, text),
    restore: () => {
      stream.write = write;
    },
  };
}
