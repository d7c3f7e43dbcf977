import { Logger } from "@aws-lambda-powertools/logger";
import { afterEach, beforeAll, afterAll, describe, expect, it, vi } from "vitest";
import type { Context as LambdaContext } from "aws-lambda";
import { captureLogs, log, logRequest, type RequestLogFields } from "../src/log.ts";

/**
 * logRequest assembles its line from precomputed parts; what it prints must still be, key for key
 * and in the same order, the line the Powertools Logger's info() prints for the same fields.
 */
const lines: string[] = [];
let restore: () => void;
let powertools: Logger;
beforeAll(() => {
  restore = captureLogs((line) => lines.push(line), "INFO");
  powertools = new Logger({ serviceName: "notes-api", logLevel: "INFO" });
});
afterAll(() => restore());
afterEach(() => {
  vi.unstubAllEnvs();
  lines.length = 0;
});

const fields: RequestLogFields = {
  requestId: "req-1",
  method: "POST",
  status: 200,
  durationMs: 1.25,
  operationName: null,
  errorCodes: ["BAD_USER_INPUT"],
  userHash: "0123456789abcdef",
};

function context(awsRequestId: string): LambdaContext {
  return {
    functionName: "notes-graphql",
    functionVersion: "$LATEST",
    invokedFunctionArn: "arn:aws:lambda:eu-west-1:123456789012:function:notes-graphql",
    memoryLimitInMB: "1024",
    awsRequestId,
  } as LambdaContext;
}

/** What a Powertools Logger prints (on stdout) for the request line's fields. */
function powertoolsLine(logger: Logger, requestFields: RequestLogFields): Record<string, unknown> {
  const written: string[] = [];
  const stdout = vi.spyOn(process.stdout, "write").mockImplementation((chunk: string | Uint8Array) => {
    written.push(String(chunk));
    return true;
  });
  try {
    logger.info("graphql request", requestFields);
  } finally {
    stdout.mockRestore();
  }
  expect(written).toHaveLength(1);
  return JSON.parse(written[0]!) as Record<string, unknown>;
}

/** The line logRequest printed and the one Powertools prints for the same fields, without timestamps. */
function bothLines(requestFields = fields): [Record<string, unknown>, Record<string, unknown>] {
  lines.length = 0;
  logRequest(requestFields);
  expect(lines).toHaveLength(1);
  const fast = JSON.parse(lines[0]!) as Record<string, unknown>;
  const expected = powertoolsLine(powertools, requestFields);
  expect(fast.timestamp).toEqual(expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/));
  delete fast.timestamp;
  delete expected.timestamp;
  return [fast, expected];
}

describe("the request line", () => {
  it("equals Powertools' line outside Lambda", () => {
    const [fast, expected] = bothLines();
    expect(Object.keys(fast)).toEqual(Object.keys(expected));
    expect(fast).toEqual(expected);
    expect(fast).not.toHaveProperty("operationName");
  });

  it("equals Powertools' line in each invocation, context and trace id included", () => {
    for (const [id, trace] of [
      ["11111111-aaaa", "Root=1-5759e988-bd862e3fe1be46a994272793;Parent=557abcec3ee5a047;Sampled=1"],
      ["22222222-bbbb", "Root=1-6759e988-cd862e3fe1be46a994272794;Parent=657abcec3ee5a047;Sampled=0"],
    ] as const) {
      vi.stubEnv("_X_AMZN_TRACE_ID", trace);
      log.addLambdaContext(context(id));
      powertools.addContext(context(id));
      const [fast, expected] = bothLines();
      expect(Object.keys(fast)).toEqual(Object.keys(expected));
      expect(fast).toEqual(expected);
      expect(fast).toMatchObject({ function_request_id: id, xray_trace_id: trace.slice(5, trace.indexOf(";")) });
    }
  });

  it("has Powertools' cold start in an on-demand environment, and its tenant id", async () => {
    vi.stubEnv("AWS_LAMBDA_INITIALIZATION_TYPE", "on-demand");
    vi.resetModules();
    const fresh = await import("../src/log.ts");
    const freshPowertools = new Logger({ serviceName: "notes-api", logLevel: "INFO" });
    const captured: string[] = [];
    const restoreFresh = fresh.captureLogs((line) => captured.push(line), "INFO");
    try {
      const coldStarts: unknown[] = [];
      for (const id of ["33333333-cccc", "44444444-dddd"]) {
        const invocation = { ...context(id), tenantId: `tenant-${id}` } as LambdaContext;
        fresh.log.addLambdaContext(invocation);
        freshPowertools.addContext(invocation);
        captured.length = 0;
        fresh.logRequest(fields);
        const fast = JSON.parse(captured[0]!) as Record<string, unknown>;
        const expected = powertoolsLine(freshPowertools, fields);
        delete fast.timestamp;
        delete expected.timestamp;
        expect(Object.keys(fast)).toEqual(Object.keys(expected));
        expect(fast).toEqual(expected);
        coldStarts.push(fast.cold_start);
        expect(fast.tenant_id).toBe(`tenant-${id}`);
      }
      expect(coldStarts).toEqual([true, false]);
    } finally {
      restoreFresh();
    }
  });

  it("equals Powertools' line for values that need escaping or are left off", () => {
    const cases: Partial<RequestLogFields>[] = [
      { operationName: 'Quote"Back\\slash\nNew\u2028line', requestId: "id-\u0000-\ud83d\ude00" },
      { operationName: "", requestId: "", userHash: "" },
      { operationName: null, requestId: undefined, userHash: null, durationMs: null },
      { errorCodes: ["A", 'B"', "\u00e9"], status: 413, method: "GET", durationMs: 0 },
      { durationMs: 12345.67, errorCodes: [] },
    ];
    for (const overrides of cases) {
      const [fast, expected] = bothLines({ ...fields, ...overrides });
      expect(Object.keys(fast)).toEqual(Object.keys(expected));
      expect(fast).toEqual(expected);
    }
  });

  it("falls back to Powertools for local-time timestamps", () => {
    vi.stubEnv("TZ", "Europe/Paris");
    lines.length = 0;
    logRequest(fields);
    expect(JSON.parse(lines[0]!).timestamp).toMatch(/[+-]\d\d:\d\d$/);
  });

  it("is not printed above INFO", () => {
    const restoreWarn = captureLogs((line) => lines.push(line), "WARN");
    try {
      lines.length = 0;
      logRequest(fields);
      expect(lines).toEqual([]);
    } finally {
      restoreWarn();
    }
  });
});
