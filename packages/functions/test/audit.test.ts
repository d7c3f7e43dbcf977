import { serverAudits, type AuditResult } from "graphql-http";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { NotesYoga } from "../src/graphql/yoga.ts";
import { createLambdaHandler } from "../src/http/lambda.ts";
import { captureLogs } from "../src/log.ts";
import { apiGatewayEvent } from "./api-gateway-event.ts";
import { GRAPHQL_URL, createTestYoga } from "./harness.ts";
import { createTestIssuer, type TestIssuer } from "./test-issuer.ts";

/**
 * GraphQL-over-HTTP conformance: every one of graphql-http's server audits (MUST, SHOULD and MAY)
 * against the real yoga, in-process, and again through the Lambda adapter (Request → API Gateway
 * v2 event → handler → Response).
 */
let yoga: NotesYoga;
let lambda: ReturnType<typeof createLambdaHandler>;
let restoreLogs: () => void;
let issuer: TestIssuer;

beforeAll(async () => {
  restoreLogs = captureLogs(() => {}, "SILENT");
  issuer = await createTestIssuer();
  yoga = createTestYoga(issuer);
  lambda = createLambdaHandler(yoga);
});
afterAll(async () => {
  await issuer?.close();
  restoreLogs?.();
});

type FetchFn = (input: RequestInfo | URL, init?: RequestInit) => Promise<Response>;

/** What API Gateway would deliver for `request`, answered by the Lambda handler. */
const viaLambda: FetchFn = async (input, init) => {
  const request = new Request(input, init);
  const url = new URL(request.url);
  const headers = Object.fromEntries(request.headers);
  const body = request.method === "GET" ? undefined : await request.text();
  const event = apiGatewayEvent({
    method: request.method as "GET" | "POST",
    path: url.pathname,
    query: url.search ? Object.fromEntries(url.searchParams) : undefined,
    headers,
    body,
  });
  // The event builder adds a browser-like Accept; audits about a missing Accept need it absent.
  if (!request.headers.has("accept")) delete event.headers.accept;
  const result = await lambda(event);
  const responseHeaders = new Headers(result.headers as Record<string, string>);
  for (const cookie of result.cookies ?? []) responseHeaders.append("set-cookie", cookie);
  const responseBody = result.isBase64Encoded ? Buffer.from(result.body ?? "", "base64") : result.body;
  return new Response(responseBody, { status: result.statusCode, headers: responseHeaders });
};

function outcome(result: AuditResult): string {
  return result.status === "ok" ? "ok" : `${result.status}: ${result.reason}`;
}

const targets: [string, FetchFn][] = [
  ["yoga.fetch", async (input, init) => yoga.fetch(new Request(input, init))],
  ["the Lambda adapter", viaLambda],
];

describe.each(targets)("graphql-http server audits via %s", (_label, fetchFn) => {
  const audits = serverAudits({ url: GRAPHQL_URL, fetchFn });

  it("has MUST, SHOULD and MAY audits to run", () => {
    for (const level of ["MUST ", "SHOULD ", "MAY "]) {
      expect(audits.filter((audit) => audit.name.startsWith(level)).length).toBeGreaterThan(5);
    }
  });

  // Every audit passes, the recommended (SHOULD, MAY) as well as the required: a regression fails.
  it.each(audits.map((audit) => [`${audit.id} ${audit.name}`, audit] as const))("%s", async (_name, audit) => {
    expect(outcome(await audit.fn())).toBe("ok");
  });
});
