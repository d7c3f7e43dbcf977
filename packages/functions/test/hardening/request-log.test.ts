import { createHash } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTokenVerifier } from "../../src/auth.ts";
import { createNotesYoga } from "../../src/graphql/yoga.ts";
import { createLambdaHandler } from "../../src/http/lambda.ts";
import { captureLogs } from "../../src/log.ts";
import { apiGatewayEvent } from "../api-gateway-event.ts";
import { CREATE, postGraphQL, rawRequest, startLocalApi, type HttpResult, type LocalApi } from "./local-api.ts";

/**
 * Observability: every request, however it ends, writes exactly one structured "graphql request"
 * line with its id, and no line ever carries the Authorization header, a token or note content.
 */
let api: LocalApi;
let token: string;
const lines: string[] = [];
let restoreLogs: () => void;
const SECRET_CONTENT = `secret-content-${Math.random().toString(36).slice(2)}`;

beforeAll(async () => {
  restoreLogs = captureLogs((line) => lines.push(line), "DEBUG");
  api = await startLocalApi({ onLambdaLine: (line) => lines.push(line), lambdaEnv: { LOG_LEVEL: "DEBUG" } });
  token = await api.token("logged-user");
});
afterAll(async () => {
  await api?.close();
  restoreLogs?.();
});

type Entry = Record<string, unknown>;
const entries = (): Entry[] => lines.map((line) => JSON.parse(line));
const requestLines = (requestId: string) =>
  entries().filter((entry) => entry.message === "graphql request" && entry.requestId === requestId);

const JSON_HEADERS = { "content-type": "application/json", accept: "application/graphql-response+json" };
const auth = () => ({ ...JSON_HEADERS, authorization: `Bearer ${token}` });

const cases: [string, () => Promise<HttpResult>, { status: number; codes: string[]; operationName?: string; user?: boolean }][] = [
  [
    "a successful mutation",
    () => postGraphQL(api.url, CREATE, { input: { content: SECRET_CONTENT } }, { token }),
    { status: 200, codes: [], operationName: "Create", user: true },
  ],
  [
    "a resolver error (UNAUTHENTICATED)",
    () => postGraphQL(api.url, CREATE, { input: { content: SECRET_CONTENT } }),
    { status: 200, codes: ["UNAUTHENTICATED"], operationName: "Create" },
  ],
  ["a parse error", () => postGraphQL(api.url, "{ me {", undefined, { token }), { status: 400, codes: ["GRAPHQL_PARSE_FAILED"] }],
  [
    "an armor rejection",
    () => postGraphQL(api.url, `query Bomb { ${Array.from({ length: 20 }, (_, i) => `a${i}: me { id }`).join(" ")} }`, undefined, { token, operationName: "Bomb" }),
    { status: 400, codes: ["GRAPHQL_VALIDATION_FAILED"], operationName: "Bomb" },
  ],
  [
    "a wrong variable type",
    () => postGraphQL(api.url, "query Page($n: Int) { notes(first: $n) { pageInfo { hasNextPage } } }", { n: SECRET_CONTENT }, { token }),
    { status: 400, codes: ["GRAPHQL_VALIDATION_FAILED"], operationName: "Page", user: true },
  ],
  ["malformed JSON", () => rawRequest(api.url, { headers: auth(), body: `{"query": "${SECRET_CONTENT}` }), { status: 400, codes: ["BAD_REQUEST"] }],
  [
    "a batch",
    () => rawRequest(api.url, { headers: auth(), body: JSON.stringify([{ query: "{ me { id } }" }]) }),
    { status: 400, codes: ["BAD_REQUEST"] },
  ],
  [
    "a 2 MB body with Content-Length",
    () => rawRequest(api.url, { headers: auth(), body: Buffer.alloc(2 * 1024 * 1024, "a") }),
    { status: 413, codes: ["PAYLOAD_TOO_LARGE"] },
  ],
  [
    "a 2 MB chunked body",
    () => rawRequest(api.url, { headers: auth(), body: Array.from({ length: 32 }, () => Buffer.alloc(65_536, "a")) }),
    { status: 413, codes: ["PAYLOAD_TOO_LARGE"] },
  ],
  [
    "invalid UTF-8",
    () => rawRequest(api.url, { headers: auth(), body: Buffer.concat([Buffer.from('{"query":"'), Buffer.from([0xff]), Buffer.from('"}')]) }),
    { status: 400, codes: ["BAD_REQUEST"] },
  ],
  [
    "an unsupported media type",
    () => rawRequest(api.url, { headers: { "content-type": "text/plain", authorization: `Bearer ${token}` }, body: "{ me { id } }" }),
    { status: 415, codes: [] },
  ],
  [
    "a GET",
    () => rawRequest(`${api.url}?query=${encodeURIComponent("{ __typename }")}`, { method: "GET", headers: JSON_HEADERS }),
    { status: 200, codes: [] },
  ],
];

describe("the local server's request log", () => {
  it.each(cases)("%s: exactly one line with id, status, duration and codes", async (_label, send, expected) => {
    const result = await send();
    expect(result.status).toBe(expected.status);
    const requestId = result.headers["x-request-id"] as string;
    // API Gateway's request id, which the function answers with as its own.
    expect(requestId).toMatch(/^[A-Za-z0-9+/]{15}=$/);
    expect(result.headers["apigw-requestid"]).toBe(requestId);
    const logged = requestLines(requestId);
    expect(logged).toHaveLength(1);
    const [line] = logged;
    expect(line).toMatchObject({
      level: "INFO",
      service: "notes-api",
      method: expect.stringMatching(/^(GET|POST)$/),
      status: expected.status,
      durationMs: expect.any(Number),
      errorCodes: expected.codes,
    });
    expect(line!.timestamp).toEqual(expect.any(String));
    expect(line!.operationName).toBe(expected.operationName);
    expect(line!.userHash).toBe(
      expected.user ? createHash("sha256").update(subOf(token)).digest("hex").slice(0, 16) : undefined,
    );
  });

  it("carries the Lambda context: one cold start (the worker's first invocation), then warm ones", () => {
    const requests = entries().filter((entry) => entry.message === "graphql request");
    expect(requests.length).toBeGreaterThan(1);
    // One request at a time here: one worker served them all.
    expect(requests.map((entry) => entry.cold_start)).toEqual([true, ...requests.slice(1).map(() => false)]);
    for (const entry of requests) {
      expect(entry).toMatchObject({
        function_name: "notes-local-Api-Graphql",
        function_memory_size: "1024",
        function_arn: "arn:aws:lambda:us-east-1:000000000000:function:notes-local-Api-Graphql",
        function_request_id: entry.requestId,
      });
    }
  });

  it("never logs the Authorization header, the token or note content", () => {
    const all = lines.join("\n");
    expect(lines.length).toBeGreaterThan(cases.length);
    expect(all).not.toContain(token);
    expect(all).not.toContain(token.split(".")[2]!);
    expect(all).not.toContain(SECRET_CONTENT);
    expect(all).not.toMatch(/authorization|bearer/i);
    expect(all).not.toContain("logged-user");
  });
});

/** The caller's id: the token's `sub`. */
function subOf(token: string): string {
  return JSON.parse(Buffer.from(token.split(".")[1]!, "base64url").toString()).sub;
}

describe("the Lambda's request log", () => {
  it("writes one line per invocation, 413 and invalid UTF-8 included, with the Lambda context keys", async () => {
    const yoga = createNotesYoga({ verifyAuthorization: createTokenVerifier(api.cognito) });
    const handler = createLambdaHandler(yoga);
    const context = {
      functionName: "notes-graphql",
      functionVersion: "$LATEST",
      invokedFunctionArn: "arn:aws:lambda:eu-west-1:123456789012:function:notes-graphql",
      memoryLimitInMB: "1024",
      awsRequestId: "c6af9ac6-7b61-11e6-9a41-93e812345678",
    } as Parameters<typeof handler>[1];
    const events = [
      apiGatewayEvent({ headers: { "content-type": "application/json" }, body: '{"query":"{ __typename }"}' }),
      apiGatewayEvent({ headers: { "content-type": "application/json" }, body: "a".repeat(1_100_000) }),
      apiGatewayEvent({
        headers: { "content-type": "application/json" },
        body: Buffer.from([0x7b, 0xff, 0x7d]).toString("base64"),
        isBase64Encoded: true,
      }),
    ];
    const statuses: number[] = [];
    for (const event of events) statuses.push((await handler(event, context)).statusCode!);
    expect(statuses).toEqual([200, 413, 400]);
    for (const [i, event] of events.entries()) {
      const logged = requestLines(event.requestContext.requestId);
      expect(logged).toHaveLength(1);
      expect(logged[0]).toMatchObject({
        status: statuses[i],
        function_name: "notes-graphql",
        function_request_id: context!.awsRequestId,
        cold_start: expect.any(Boolean),
      });
    }
  });
});
