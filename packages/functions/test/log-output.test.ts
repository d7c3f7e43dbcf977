import { spawnSync } from "node:child_process";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { afterEach, beforeEach, describe, expect, it, vi, type MockInstance } from "vitest";
import { createNotesYoga } from "../src/graphql/yoga.ts";
import { createLambdaHandler } from "../src/http/lambda.ts";
import { flushLogs, log, logRequest, type RequestLogFields } from "../src/log.ts";
import { graphqlPostEvent } from "./api-gateway-event.ts";

/**
 * Where request lines really go (no test sink): stdout, several lines per write under load,
 * never reordered against other log lines, never left behind when a Lambda invocation returns
 * or the process exits.
 */
let writes: string[];
let write: MockInstance;
beforeEach(() => {
  flushLogs();
  writes = [];
  write = vi.spyOn(process.stdout, "write").mockImplementation((chunk: string | Uint8Array) => {
    writes.push(String(chunk));
    return true;
  });
});
afterEach(() => {
  flushLogs();
  write.mockRestore();
});

const fields = (requestId: string): RequestLogFields => ({
  requestId,
  method: "POST",
  status: 200,
  durationMs: 0.5,
  operationName: "Note",
  errorCodes: [],
  userHash: "0123456789abcdef",
});

const nextTurn = () => new Promise((resolve) => setImmediate(resolve));
/** Each line's request id, or its message for lines that are not request lines. */
function requestIds(chunks: string[]): string[] {
  return chunks
    .join("")
    .split("\n")
    .filter(Boolean)
    .map((line) => JSON.parse(line) as { requestId?: string; message: string })
    .map((line) => line.requestId ?? line.message);
}

describe("request lines on stdout", () => {
  it("writes the lines of one event-loop turn together, complete and in order", async () => {
    for (let i = 0; i < 50; i++) logRequest(fields(`r${i}`));
    expect(writes).toEqual([]);
    await nextTurn();
    expect(writes).toHaveLength(1);
    expect(requestIds(writes)).toEqual(Array.from({ length: 50 }, (_, i) => `r${i}`));
  });

  it("writes pending lines before any other log line", async () => {
    logRequest(fields("before-1"));
    logRequest(fields("before-2"));
    log.info("something else");
    logRequest(fields("after"));
    await nextTurn();
    expect(requestIds(writes)).toEqual(["before-1", "before-2", "something else", "after"]);
  });

  it("writes at once when a turn's lines pass 64 KiB", async () => {
    const long = "x".repeat(1_000);
    for (let i = 0; i < 70; i++) logRequest({ ...fields(`big-${i}`), operationName: long });
    // 70 lines of ~1.2 KB: the first 64 KiB went out without waiting for the turn to end.
    expect(writes).toHaveLength(1);
    expect(writes[0]!.length).toBeGreaterThanOrEqual(64 * 1024);
    await nextTurn();
    expect(requestIds(writes)).toEqual(Array.from({ length: 70 }, (_, i) => `big-${i}`));
  });

  it("is written before a Lambda invocation returns", async () => {
    const handler = createLambdaHandler(createNotesYoga({ verifyAuthorization: async () => null }));
    const event = graphqlPostEvent({ query: "{ __typename }" });
    const result = await handler(event);
    expect(result.statusCode).toBe(200);
    // Checked before the event loop turns: Lambda may freeze the process right after the return.
    const lines = writes.join("").split("\n").filter(Boolean).map((line) => JSON.parse(line) as Record<string, unknown>);
    expect(lines).toContainEqual(
      expect.objectContaining({ message: "graphql request", requestId: event.requestContext.requestId, status: 200 }),
    );
  });
});

describe("the log level", () => {
  it("warns once, at start, when LOG_LEVEL is not a level, and logs at INFO", () => {
    const logModule = path.join(path.dirname(fileURLToPath(import.meta.url)), "../src/log.ts");
    const script = `const { log } = await import(${JSON.stringify(logModule)}); log.info("still logged"); log.debug("not logged");`;
    const run = (level: string) =>
      spawnSync(process.execPath, ["--import", "tsx", "--input-type=module", "-e", script], {
        encoding: "utf8",
        env: { ...process.env, POWERTOOLS_LOG_LEVEL: "", LOG_LEVEL: level, AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: "true" },
      });
    const bogus = run("verbose");
    expect(bogus.status, bogus.stderr).toBe(0);
    expect(bogus.stderr).toContain('"message":"log level \\"VERBOSE\\" is not one of DEBUG, INFO, WARN, ERROR, SILENT; logging at INFO"');
    expect(requestIds([bogus.stdout])).toEqual(["still logged"]);
    for (const valid of ["", "info", " WARN "]) expect(run(valid).stderr).not.toContain("is not one of");
  });
});

describe("at exit", () => {
  it("writes the lines still pending when the process exits", () => {
    const logModule = path.join(path.dirname(fileURLToPath(import.meta.url)), "../src/log.ts");
    const script = `
      const { logRequest } = await import(${JSON.stringify(logModule)});
      const line = (requestId) => ({ requestId, method: "POST", status: 200, durationMs: 1, operationName: null, errorCodes: [], userHash: null });
      logRequest(line("first"));
      logRequest(line("last"));
      process.exit(0);
    `;
    const child = spawnSync(process.execPath, ["--import", "tsx", "--input-type=module", "-e", script], {
      encoding: "utf8",
      env: { ...process.env, POWERTOOLS_LOG_LEVEL: "INFO", AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: "true" },
    });
    expect(child.status, child.stderr).toBe(0);
    expect(requestIds([child.stdout])).toEqual(["first", "last"]);
  });
});
