import { isEmfLine } from "./console/emf.ts";
import type { Invocation } from "./invocation.ts";

/**
 * What `npm start` prints. Readable (the default): one short line per invocation, then its
 * warnings and errors with their message and request id; metric (EMF) lines are left to the
 * console. `LOG_FORMAT=json`: the lines exactly as the Lambda writes them.
 */
export type LogFormat = "readable" | "json";

interface LogLine {
  level?: unknown;
  message?: unknown;
  error?: { message?: unknown; name?: unknown };
  requestId?: unknown;
  function_request_id?: unknown;
}

const LOUD = new Set(["WARN", "ERROR", "CRITICAL"]);

/** `12:03:04 CreateNote 200 14 ms cold`, then one line per warning or error of the invocation. */
export function formatInvocation(inv: Invocation): string[] {
  const time = inv.startedAt.slice(11, 19);
  const what = inv.operation ?? inv.route;
  const summary = `${time} ${what} ${inv.status} ${formatDuration(inv.durationMs)} ${inv.cold ? "cold" : "warm"}`;
  const problems = inv.logLines
    .map(read)
    .filter((line) => line.loud)
    .map((line) => `  ${describe(line)}`);
  return [summary, ...problems];
}

/** A line parsed once: its fields, whether it goes to stderr, whether it is a metric (EMF) line. */
interface ReadLine {
  text: string;
  parsed: LogLine | null;
  loud: boolean;
  metric: boolean;
}

function read(text: string): ReadLine {
  const parsed = parse(text);
  return {
    text,
    parsed,
    loud: LOUD.has(String(parsed?.level)),
    metric: isEmfLine(text),
  };
}

/** `WARN message: error (request id)`, or the line as it is when it is not a JSON log line. */
function describe({ text, parsed }: ReadLine): string {
  if (!parsed || typeof parsed.message !== "string") return text;
  const level = typeof parsed.level === "string" ? parsed.level : "INFO";
  const error = typeof parsed.error?.message === "string" ? `: ${parsed.error.message}` : "";
  const requestId = parsed.requestId ?? parsed.function_request_id;
  const request = typeof requestId === "string" ? ` (request ${requestId})` : "";
  return `${level.padEnd(5)} ${parsed.message}${error}${request}`;
}

function formatDuration(ms: number): string {
  return ms < 10 ? `${ms.toFixed(1)} ms` : `${Math.round(ms)} ms`;
}

function parse(line: string): LogLine | null {
  if (!line.startsWith("{")) return null;
  try {
    const parsed = JSON.parse(line) as unknown;
    return parsed !== null && typeof parsed === "object" ? (parsed as LogLine) : null;
  } catch {
    return null;
  }
}

export interface Terminal {
  invocation(inv: Invocation): void;
  /** A line written outside any invocation (the local server's own). */
  line(line: string): void;
}

/** Prints to stdout, and to stderr the lines at WARN and above, as the Lambda's logger does. */
type Output = { write(text: string): unknown };

export function createTerminal(format: LogFormat, out: Output = process.stdout, err: Output = process.stderr): Terminal {
  if (format === "json") {
    const write = (line: string) => (read(line).loud ? err : out).write(`${line}\n`);
    return { invocation: (inv) => inv.logLines.forEach(write), line: write };
  }
  return {
    invocation: (inv) => out.write(`${formatInvocation(inv).join("\n")}\n`),
    // A line outside any invocation: short as below, or as it is when not JSON; metric lines not at all.
    line(line) {
      const seen = read(line);
      if (!seen.metric) (seen.loud ? err : out).write(`${describe(seen)}\n`);
    },
  };
}
