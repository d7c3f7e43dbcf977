/**
 * Structured JSON logs, one line per event, in the shape of the Lambda Powertools logger
 * (level, message, timestamp, service, then fields), on the Lambda and the local server alike.
 */
const LEVELS = { DEBUG: 10, INFO: 20, WARN: 30, ERROR: 40, SILENT: 100 } as const;
export type LogLevel = keyof typeof LEVELS;
type Sink = (line: string, level: LogLevel) => void;

const defaultSink: Sink = (line, level) =>
  (level === "ERROR" || level === "WARN" ? process.stderr : process.stdout).write(line + "\n");

let sink: Sink = defaultSink;
let threshold: number = LEVELS[parseLevel(process.env.LOG_LEVEL)];

function parseLevel(value: string | undefined): LogLevel {
  const upper = (value ?? "INFO").toUpperCase();
  return upper in LEVELS ? (upper as LogLevel) : "INFO";
}

function write(level: LogLevel, message: string, fields?: Record<string, unknown>): void {
  if (LEVELS[level] < threshold) return;
  const entry = {
    level,
    message,
    timestamp: new Date().toISOString(),
    service: process.env.SERVICE_NAME ?? "notes-api",
    ...fields,
  };
  sink(JSON.stringify(entry, errorReplacer), level);
}

function errorReplacer(_key: string, value: unknown): unknown {
  if (value instanceof Error) {
    return { name: value.name, message: value.message, stack: value.stack };
  }
  return value;
}

export const log = {
  debug: (message: string, fields?: Record<string, unknown>) => write("DEBUG", message, fields),
  info: (message: string, fields?: Record<string, unknown>) => write("INFO", message, fields),
  warn: (message: string, fields?: Record<string, unknown>) => write("WARN", message, fields),
  error: (message: string, fields?: Record<string, unknown>) => write("ERROR", message, fields),
};

/** Redirects log lines (tests read them); returns a function that restores the default. */
export function captureLogs(next: Sink, level: LogLevel = "DEBUG"): () => void {
  const previous = { sink, threshold };
  sink = next;
  threshold = LEVELS[level];
  return () => {
    sink = previous.sink;
    threshold = previous.threshold;
  };
}
