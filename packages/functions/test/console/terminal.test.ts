import { describe, expect, it } from "vitest";
import type { Invocation } from "../../src/local/invocation.ts";
import { createTerminal, formatInvocation } from "../../src/local/terminal.ts";

const requestLine = JSON.stringify({ level: "INFO", message: "graphql request", timestamp: "2026-01-02T03:04:05.678Z", requestId: "req-1", status: 200 });
const emfLine = JSON.stringify({
  _aws: { Timestamp: 1, CloudWatchMetrics: [{ Namespace: "NotesApi", Dimensions: [["service"]], Metrics: [{ Name: "Requests", Unit: "Count" }] }] },
  service: "notes-api",
  Requests: 1,
});
const errorLine = JSON.stringify({ level: "ERROR", message: "unexpected error", requestId: "req-1", error: { name: "Error", message: "disk full" } });
const warnLine = JSON.stringify({ level: "WARN", message: "token rejected", function_request_id: "req-1" });

const invocation = (overrides: Partial<Invocation> = {}): Invocation => ({
  requestId: "req-1",
  startedAt: "2026-01-02T03:04:05.678Z",
  route: "POST /graphql",
  operation: "CreateNote",
  status: 200,
  durationMs: 14.4,
  cold: true,
  worker: 1,
  logLines: [requestLine, emfLine],
  ...overrides,
});

describe("the readable terminal", () => {
  it("prints one short line per invocation: time, operation, status, duration, cold or warm", () => {
    expect(formatInvocation(invocation())).toEqual(["03:04:05 CreateNote 200 14 ms cold"]);
    expect(formatInvocation(invocation({ operation: undefined, durationMs: 3.21, cold: false, status: 400 }))).toEqual([
      "03:04:05 POST /graphql 400 3.2 ms warm",
    ]);
  });

  it("follows it with the invocation's warnings and errors, their message and request id", () => {
    expect(formatInvocation(invocation({ status: 500, logLines: [errorLine, requestLine, warnLine, emfLine] }))).toEqual([
      "03:04:05 CreateNote 500 14 ms cold",
      "  ERROR unexpected error: disk full (request req-1)",
      "  WARN  token rejected (request req-1)",
    ]);
  });

});

function capture(format: "readable" | "json") {
  const out: string[] = [];
  const err: string[] = [];
  const stream = (into: string[]) => ({ write: (chunk: string) => into.push(chunk) });
  return { terminal: createTerminal(format, stream(out), stream(err)), out, err };
}

describe("the terminal's two formats", () => {
  it("readable: leaves out metric lines outside invocations and prints other lines short, or as they are when not JSON", () => {
    const { terminal, out } = capture("readable");
    terminal.line(emfLine);
    terminal.line(JSON.stringify({ level: "INFO", message: "removed stale uploads", removedObjects: 2 }));
    terminal.line("Confirmation code for a@example.com: 123456");
    expect(out.join("")).toBe("INFO  removed stale uploads\nConfirmation code for a@example.com: 123456\n");
  });

  it("json: exactly the lines the Lambda wrote, warnings and errors on stderr", () => {
    const { terminal, out, err } = capture("json");
    terminal.invocation(invocation({ logLines: [requestLine, emfLine, errorLine] }));
    expect(out.join("")).toBe(`${requestLine}\n${emfLine}\n`);
    expect(err.join("")).toBe(`${errorLine}\n`);
  });

  it("readable: the short lines, no JSON and no metrics", () => {
    const { terminal, out, err } = capture("readable");
    terminal.invocation(invocation());
    terminal.line(emfLine);
    terminal.line(warnLine);
    expect(out.join("")).toBe("03:04:05 CreateNote 200 14 ms cold\n");
    expect(err.join("")).toBe("WARN  token rejected (request req-1)\n");
  });
});
