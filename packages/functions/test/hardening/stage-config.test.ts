import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from "aws-lambda";
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import { createNotesYoga, type NotesYogaOptions } from "../../src/graphql/yoga.ts";
import { createNodeListener } from "../../src/http/node.ts";
import { captureLogs } from "../../src/log.ts";
import { apiGatewayEvent } from "../api-gateway-event.ts";
import { CREATE, expectData, expectRefused, postGraphQL, rawRequest } from "./local-api.ts";

/**
 * What a protected stage (staging, prod) hides: introspection, field suggestions and GraphiQL,
 * both through createNotesYoga's options and through the Lambda's environment variables.
 */
const servers: { close(): Promise<void> }[] = [];
let restoreLogs: () => void;

beforeAll(() => {
  restoreLogs = captureLogs(() => {}, "SILENT");
});
afterAll(async () => {
  await Promise.all(servers.map((server) => server.close()));
  restoreLogs?.();
});

async function serve(options: Partial<NotesYogaOptions>): Promise<string> {
  const yoga = createNotesYoga({ verifyAuthorization: async () => null, ...options });
  const server = createServer(createNodeListener(yoga));
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  servers.push({
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  });
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}/graphql`;
}

const INTROSPECTION = "{ __schema { queryType { name } } }";
const TYPE_PROBE = '{ __type(name: "Note") { fields { name } } }';

describe("a protected stage", () => {
  let url: string;
  beforeAll(async () => {
    url = await serve({ protectedStage: true, graphiql: false });
  });

  it.each([
    ["__schema", INTROSPECTION],
    ["__type", TYPE_PROBE],
  ])("refuses %s introspection with GRAPHQL_VALIDATION_FAILED", async (_label, query) => {
    const error = expectRefused(await postGraphQL(url, query), "GRAPHQL_VALIDATION_FAILED", { status: 400 });
    expect(error.message).toMatch(/introspection has been disabled/);
  });

  it("still answers __typename, which clients such as urql add to every selection", async () => {
    expect(expectData(await postGraphQL(url, "{ __typename me { __typename } }"))).toEqual({
      __typename: "Query",
      me: null,
    });
  });

  it("hides field suggestions in validation errors", async () => {
    const error = expectRefused(await postGraphQL(url, "{ me { idd } }"), "GRAPHQL_VALIDATION_FAILED");
    expect(error.message).toBe('Cannot query field "idd" on type "User". [Suggestion hidden]');
  });

  it("hides input field suggestions in variable errors", async () => {
    const error = expectRefused(
      await postGraphQL(url, CREATE, { input: { contnt: "typo" } }),
      "GRAPHQL_VALIDATION_FAILED",
    );
    expect(error.message).toMatch(/contnt/);
    expect(error.message).not.toMatch(/Did you mean/);
  });

  it("serves no GraphiQL page", async () => {
    const result = await rawRequest(url, { method: "GET", headers: { accept: "text/html" } });
    expect(result.status).toBeGreaterThanOrEqual(400);
    expect(result.status).toBeLessThan(500);
    expect(result.text).not.toMatch(/<html/i);
  });

  it("can turn introspection back on explicitly, suggestions staying hidden", async () => {
    const open = await serve({ protectedStage: true, introspection: true });
    expect(expectData(await postGraphQL(open, INTROSPECTION))).toEqual({ __schema: { queryType: { name: "Query" } } });
    expect(expectRefused(await postGraphQL(open, "{ me { idd } }"), "GRAPHQL_VALIDATION_FAILED").message).not.toMatch(
      /Did you mean/,
    );
  });
});

describe("an unprotected stage (dev, local)", () => {
  it("answers introspection and shows suggestions", async () => {
    const url = await serve({});
    expect(expectData(await postGraphQL(url, INTROSPECTION))).toEqual({ __schema: { queryType: { name: "Query" } } });
    const error = expectRefused(await postGraphQL(url, "{ me { idd } }"), "GRAPHQL_VALIDATION_FAILED");
    expect(error.message).toBe('Cannot query field "idd" on type "User". Did you mean "id"?');
  });
});

describe("the Lambda reads PROTECTED_STAGE, INTROSPECTION and GRAPHIQL", () => {
  type Handler = (event: APIGatewayProxyEventV2) => Promise<APIGatewayProxyStructuredResultV2>;

  afterEach(() => {
    vi.unstubAllEnvs();
    vi.resetModules();
  });

  async function lambdaWith(env: Record<string, string>): Promise<Handler> {
    vi.resetModules();
    vi.stubEnv("AUTH_ISSUER", "https://cognito-idp.eu-west-1.amazonaws.com/eu-west-1_test");
    vi.stubEnv("AUTH_AUDIENCE", "test-client");
    vi.stubEnv("NOTES_TABLE", "unused");
    vi.stubEnv("POWERTOOLS_LOG_LEVEL", "SILENT");
    for (const [name, value] of Object.entries(env)) vi.stubEnv(name, value);
    return (await import("../../src/lambda.ts")).handler as Handler;
  }

  const post = (query: string) =>
    apiGatewayEvent({ headers: { "content-type": "application/json" }, body: JSON.stringify({ query }) });
  const html = () => apiGatewayEvent({ method: "GET", headers: { accept: "text/html" } });
  const json = (result: APIGatewayProxyStructuredResultV2) => JSON.parse(result.body ?? "null");

  it("PROTECTED_STAGE=true: no introspection, no GraphiQL", async () => {
    const handler = await lambdaWith({ PROTECTED_STAGE: "true" });
    const refused = await handler(post(INTROSPECTION));
    expect(refused.statusCode).toBe(400);
    expect(json(refused).errors[0].extensions.code).toBe("GRAPHQL_VALIDATION_FAILED");
    expect((await handler(html())).body ?? "").not.toMatch(/<html/i);
  });

  it("PROTECTED_STAGE=true with INTROSPECTION=true and GRAPHIQL=true turns both on", async () => {
    const handler = await lambdaWith({ PROTECTED_STAGE: "true", INTROSPECTION: "true", GRAPHIQL: "true" });
    expect(json(await handler(post(INTROSPECTION))).data).toEqual({ __schema: { queryType: { name: "Query" } } });
    expect((await handler(html())).body).toMatch(/<html/i);
  });

  it("PROTECTED_STAGE=false: introspection and GraphiQL on by default", async () => {
    const handler = await lambdaWith({ PROTECTED_STAGE: "false" });
    expect(json(await handler(post(INTROSPECTION))).data).toEqual({ __schema: { queryType: { name: "Query" } } });
    expect((await handler(html())).body).toMatch(/<html/i);
  });

  it("refuses to start with a flag that is not true or false", async () => {
    await expect(lambdaWith({ PROTECTED_STAGE: "yes" })).rejects.toThrow(/PROTECTED_STAGE must be true or false/);
  });
});
