import { spawnSync } from "node:child_process";
import path from "node:path";
import { fileURLToPath } from "node:url";
import type { Context as LambdaContext } from "aws-lambda";
import { afterEach, beforeEach, describe, expect, it, vi, type MockInstance } from "vitest";
import { createNotesYoga } from "../src/graphql/yoga.ts";
import { createLambdaHandler } from "../src/http/lambda.ts";
import { captureLogs } from "../src/log.ts";
import { graphqlPostEvent } from "./api-gateway-event.ts";

/**
 * The request line as Powertools writes it, where it really goes (stdout, no test sink): our
 * fields beside Powertools' standard and Lambda-context keys, written before the invocation
 * returns, and nothing a client sent but the operation name.
 */
let writes: string[];
let write: MockInstance;
beforeEach(() => {
  writes = [];
  write = vi.spyOn(process.stdout, "write").mockImplementation((chunk: string | Uint8Array) => {
    writes.push(String(chunk));
    return true;
  });
});
afterEach(() => write.mockRestore());

const parsedLines = () =>
  writes
    .join("")
    .split("\n")
    .filter(Boolean)
    .map((line) => JSON.parse(line) as Record<string, unknown>);

const context = {
  awsRequestId: "c0ffee00-0000-4000-8000-000000000001",
  functionName: "notes-dev-Graphql",
  functionVersion: "$LATEST",
  invokedFunctionArn: "arn:aws:lambda:eu-west-1:123456789012:function:notes-dev-Graphql",
  memoryLimitInMB: "1024",
} as LambdaContext;

const handler = createLambdaHandler(createNotesYoga({ verifyAuthorization: async () => ({ id: "user-1" }) }));

describe("the request line", () => {
  it("carries our fields and the Lambda context's keys, and is written before the invocation returns", async () => {
    const event = graphqlPostEvent({ query: "query Who { me { id } }", operationName: "Who" });
    const result = await handler(event, context);
    expect(result.statusCode).toBe(200);
    // Checked before the event loop turns: Lambda may freeze the process right after the return.
    const line = parsedLines().find((entry) => entry.message === "graphql request");
    expect(line).toMatchObject({
      level: "INFO",
      service: "notes-api",
      function_name: context.functionName,
      function_request_id: context.awsRequestId,
      function_memory_size: "1024",
      function_arn: context.invokedFunctionArn,
      requestId: event.requestContext.requestId,
      method: "POST",
      status: 200,
      operationName: "Who",
      errorCodes: [],
    });
    expect(typeof line!.cold_start).toBe("boolean");
    expect(line!.durationMs).toBeGreaterThan(0);
    expect(line!.userHash).toMatch(/^[0-9a-f]{16}$/);
    expect(Date.parse(line!.timestamp as string)).not.toBeNaN();
  });

  it("holds no token, query text, variables or content", async () => {
    const secret = `secret-${Math.random().toString(36).slice(2)}`;
    const event = graphqlPostEvent(
      { query: `query Mine($c: String) { me { id } } # ${secret}`, variables: { c: secret } },
      { token: `token-${secret}` },
    );
    await handler(event, context);
    const text = writes.join("");
    expect(text).toContain('"message":"graphql request"');
    expect(text).not.toContain(secret);
    expect(text).not.toContain("me { id }");
  });

  it("is not written above INFO", async () => {
    const lines: string[] = [];
    const restore = captureLogs((line) => lines.push(line), "WARN");
    try {
      await handler(graphqlPostEvent({ query: "{ __typename }" }), context);
    } finally {
      restore();
    }
    expect(lines.filter((line) => line.includes("graphql request"))).toEqual([]);
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
    const messages = bogus.stdout.split("\n").filter(Boolean).map((line) => (JSON.parse(line) as { message: string }).message);
    expect(messages).toEqual(["still logged"]);
    for (const valid of ["", "info", " WARN "]) expect(run(valid).stderr).not.toContain("is not one of");
  });
});
