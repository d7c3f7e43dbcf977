import { randomUUID } from "node:crypto";
import { createRequire } from "node:module";
import { ensureNotesTable, startEmbeddedDynamo, type EmbeddedDynamo } from "@notes/core/embedded-dynamo";
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from "aws-lambda";
import { generateKeyPair, importJWK, SignJWT, type CryptoKey, type JWK } from "jose";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import type { NotesYoga } from "../src/graphql/yoga.ts";
import { createLambdaHandler, toLambdaResult } from "../src/http/lambda.ts";
import { LOCAL_ISSUER_DOMAIN } from "../src/local/cognito.ts";
import { MAX_BODY_BYTES } from "../src/http/limits.ts";
import { captureLogs } from "../src/log.ts";
import { API_DOMAIN, apiGatewayEvent, graphqlPostEvent, resultJson } from "./api-gateway-event.ts";
import { createTestYoga } from "./harness.ts";
import { createTestIssuer, type TestIssuer } from "./test-issuer.ts";

/**
 * The Lambda side of HTTP: real API Gateway v2 events through createLambdaHandler, and the real
 * src/lambda.ts module configured by environment as in AWS (dynalite and a local JWKS stand in).
 * Nothing here calls configureDynamo: the dynamo module reads NOTES_TABLE/DYNAMODB_ENDPOINT.
 */
type Handler = (event: APIGatewayProxyEventV2) => Promise<APIGatewayProxyStructuredResultV2>;

let db: EmbeddedDynamo;
let issuer: TestIssuer;
let yogaCalls: { url: string; headers: Headers }[] = [];
let handler: Handler;
let graphiqlHandler: Handler;
let logLines: string[] = [];
let restoreLogs: () => void;

/** Records what the adapter hands to yoga, then lets the real yoga answer. */
function recordingYoga(yoga: NotesYoga): NotesYoga {
  return new Proxy(yoga, {
    get(target, property, receiver) {
      if (property !== "handleRequest") return Reflect.get(target, property, receiver);
      return (request: Request, context: never) => {
        yogaCalls.push({ url: request.url, headers: request.headers });
        return target.handleRequest(request, context);
      };
    },
  });
}

beforeAll(async () => {
  restoreLogs = captureLogs((line) => logLines.push(line), "INFO");
  db = await startEmbeddedDynamo();
  const tableName = `notes-lambda-${randomUUID()}`;
  await ensureNotesTable(db.endpoint, tableName);
  vi.stubEnv("NOTES_TABLE", tableName);
  vi.stubEnv("DYNAMODB_ENDPOINT", db.endpoint);
  issuer = await createTestIssuer();
  handler = createLambdaHandler(recordingYoga(createTestYoga(issuer)));
  graphiqlHandler = createLambdaHandler(createTestYoga(issuer, { graphiql: true }));
});
afterAll(async () => {
  vi.unstubAllEnvs();
  await db?.close();
  await issuer?.close();
  restoreLogs?.();
});

function expectLowercaseHeaders(result: APIGatewayProxyStructuredResultV2) {
  const names = Object.keys(result.headers ?? {});
  expect(names.length).toBeGreaterThan(0);
  expect(names).toEqual(names.map((name) => name.toLowerCase()));
}

describe("createLambdaHandler", () => {
  it("answers a GET with a URL-encoded query string", async () => {
    const event = apiGatewayEvent({ method: "GET", query: { query: "{__typename}" } });
    expect(event.rawQueryString).toBe("query=%7B__typename%7D");
    const result = await handler(event);
    expect(result.statusCode).toBe(200);
    expect(resultJson(result)).toEqual({ data: { __typename: "Query" } });
    expect(result.headers?.["content-type"]).toMatch(/^application\/graphql-response\+json/);
    expect(result.isBase64Encoded).toBe(false);
    expectLowercaseHeaders(result);
    expect(yogaCalls.at(-1)!.url).toBe(`https://${API_DOMAIN}/graphql?query=%7B__typename%7D`);
  });

  it("answers a GET with operationName and variables, authenticated", async () => {
    const token = await issuer.token(`user-${randomUUID()}`);
    const create = 'mutation { createNote(input: { content: "via GET" }) { id } }';
    const created = resultJson(await handler(graphqlPostEvent({ query: create }, { token }))).data.createNote;
    const event = apiGatewayEvent({
      method: "GET",
      headers: { authorization: `Bearer ${token}` },
      query: {
        query: "query Other { me { id } } query ReadNote($id: ID!) { note(id: $id) { id content version } }",
        operationName: "ReadNote",
        variables: JSON.stringify({ id: created.id }),
      },
    });
    const result = await handler(event);
    expect(result.statusCode).toBe(200);
    expect(resultJson(result)).toEqual({ data: { note: { id: created.id, content: "via GET", version: 1 } } });
  });

  it("answers a POST with a JSON body", async () => {
    const userId = `user-${randomUUID()}`;
    const result = await handler(graphqlPostEvent({ query: "{ me { id } }" }, { token: await issuer.token(userId) }));
    expect(result.statusCode).toBe(200);
    expect(resultJson(result)).toEqual({ data: { me: { id: userId } } });
    expectLowercaseHeaders(result);
  });

  it("answers a POST whose body API Gateway base64-encoded", async () => {
    const token = await issuer.token(`user-${randomUUID()}`);
    const content = "Grüße, 日本語, 😀";
    const event = graphqlPostEvent(
      {
        query: "mutation($c: String!) { createNote(input: { content: $c }) { content } }",
        variables: { c: content },
      },
      { token, base64: true },
    );
    expect(event.isBase64Encoded).toBe(true);
    const result = await handler(event);
    expect(resultJson(result)).toEqual({ data: { createNote: { content } } });
  });

  it("passes the event's cookies to yoga as one Cookie header", async () => {
    const result = await handler(
      apiGatewayEvent({ method: "GET", query: { query: "{__typename}" }, cookies: ["session=abc123", "theme=dark"] }),
    );
    expect(result.statusCode).toBe(200);
    expect(yogaCalls.at(-1)!.headers.get("cookie")).toBe("session=abc123; theme=dark");
  });

  it("passes the API Gateway request id to yoga, where the request log carries it", async () => {
    const requestId = `req-${randomUUID()}`;
    await handler(graphqlPostEvent({ query: "{ __typename }" }, { requestId }));
    const entries = logLines.map((line) => JSON.parse(line));
    expect(entries).toContainEqual(expect.objectContaining({ message: "graphql request", requestId }));
  });

  it("refuses a mutation over GET with 405 and Allow: POST", async () => {
    const token = await issuer.token(`user-${randomUUID()}`);
    const result = await handler(
      apiGatewayEvent({
        method: "GET",
        headers: { authorization: `Bearer ${token}` },
        query: { query: 'mutation { createNote(input: { content: "sneaky" }) { id } }' },
      }),
    );
    expect(result.statusCode).toBe(405);
    expect(result.headers?.allow).toBe("POST");
    expectLowercaseHeaders(result);
    const list = await handler(graphqlPostEvent({ query: "{ notes { edges { cursor } } }" }, { token }));
    expect(resultJson(list)).toEqual({ data: { notes: { edges: [] } } });
  });

  it.each(["application/graphql-response+json", "application/json"])(
    "answers malformed JSON with 400 and no parser internals (accept: %s)",
    async (accept) => {
      const malformed = await handler(
        apiGatewayEvent({ method: "POST", headers: { "content-type": "application/json", accept }, body: '{"query": ' }),
      );
      expect(malformed.statusCode).toBe(400);
      expect(resultJson(malformed).errors).toHaveLength(1);
      expect(malformed.body).not.toMatch(/SyntaxError|originalError|at position/);
    },
  );

  it("answers a batched body with 4xx", async () => {
    const batched = await handler(
      apiGatewayEvent({
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify([{ query: "{ __typename }" }, { query: "{ __typename }" }]),
      }),
    );
    expect(batched.statusCode).toBeGreaterThanOrEqual(400);
    expect(batched.statusCode).toBeLessThan(500);
  });

  describe("body limit", () => {
    /** A valid request whose JSON body is exactly `bytes` long, padded inside `extensions`. */
    function paddedBody(bytes: number, padChar = "x"): string {
      const empty = JSON.stringify({ query: "{ __typename }", extensions: { pad: "" } });
      const padBytes = Buffer.byteLength(padChar);
      const pad = padChar.repeat(Math.floor((bytes - empty.length) / padBytes));
      const body = JSON.stringify({ query: "{ __typename }", extensions: { pad } });
      return body + " ".repeat(bytes - Buffer.byteLength(body));
    }

    /** A POST of `body`, as is or base64-encoded the way API Gateway passes binary bodies. */
    function jsonBodyEvent(body: string, base64: boolean) {
      return apiGatewayEvent({
        headers: { "content-type": "application/json" },
        body: base64 ? Buffer.from(body).toString("base64") : body,
        isBase64Encoded: base64,
      });
    }

    it.each([
      ["plain", false],
      ["base64", true],
    ])("a %s body of exactly 1 MiB is served", async (_label, base64) => {
      const body = paddedBody(MAX_BODY_BYTES);
      expect(Buffer.byteLength(body)).toBe(MAX_BODY_BYTES);
      const result = await handler(jsonBodyEvent(body, base64));
      expect(result.statusCode).toBe(200);
      expect(resultJson(result)).toEqual({ data: { __typename: "Query" } });
    });

    it.each([
      ["a plain body one byte over", false, paddedBody(MAX_BODY_BYTES + 1)],
      ["a base64 body one byte over", true, paddedBody(MAX_BODY_BYTES + 1)],
      ["a plain body within the limit in characters but over it in bytes", false, paddedBody(MAX_BODY_BYTES + 2, "é")],
    ])("%s is 413 without reaching yoga", async (_label, base64, body) => {
      expect(Buffer.byteLength(body)).toBeGreaterThan(MAX_BODY_BYTES);
      const before = yogaCalls.length;
      const result = await handler(jsonBodyEvent(body, base64));
      expect(result.statusCode).toBe(413);
      expect(yogaCalls.length).toBe(before);
      expect(resultJson(result).errors[0].extensions.code).toBe("PAYLOAD_TOO_LARGE");
      expectLowercaseHeaders(result);
    });
  });

  it("serves GraphiQL as HTML to a browser when enabled", async () => {
    const result = await graphiqlHandler(
      apiGatewayEvent({ method: "GET", headers: { accept: "text/html,application/xhtml+xml,*/*;q=0.8" } }),
    );
    expect(result.statusCode).toBe(200);
    expect(result.headers?.["content-type"]).toMatch(/^text\/html/);
    expect(result.isBase64Encoded).toBe(false);
    expect(result.body).toMatch(/<html/i);
    expect(result.body).toMatch(/graphiql/i);
  });

  it("serves no GraphiQL when it is disabled", async () => {
    const result = await handler(apiGatewayEvent({ method: "GET", headers: { accept: "text/html" } }));
    expect(result.statusCode).toBeGreaterThanOrEqual(400);
    expect(result.body ?? "").not.toMatch(/<html/i);
  });

  // yoga tells its endpoint from other paths with a URLPattern (a stand-in in the bundle: stacks/lambda-bundle.ts).
  it.each(["/notes", "/graphql/extra", "/GraphQL", "/graphq", "/a/graphql/b"])(
    "answers 404 with no body on another path, %s, for a query and for a browser",
    async (path) => {
      const query = await handler(graphqlPostEvent({ query: "{ __typename }" }, { path }));
      const browser = await graphiqlHandler(apiGatewayEvent({ method: "GET", path, headers: { accept: "text/html" } }));
      for (const result of [query, browser]) {
        expect(result.statusCode).toBe(404);
        expect(result.body).toBe("");
      }
    },
  );

  it("takes /graphql/ as the endpoint", async () => {
    const result = await handler(graphqlPostEvent({ query: "{ __typename }" }, { path: "/graphql/" }));
    expect(resultJson(result)).toEqual({ data: { __typename: "Query" } });
  });
});

describe("toLambdaResult", () => {
  it("moves every Set-Cookie header into cookies", async () => {
    const headers = new Headers({ "Content-Type": "application/json", "X-Custom": "1" });
    headers.append("Set-Cookie", "a=1; Path=/; HttpOnly");
    headers.append("Set-Cookie", "b=2; Path=/; Secure");
    const result = await toLambdaResult(new Response('{"ok":true}', { status: 201, headers }));
    expect(result).toEqual({
      statusCode: 201,
      headers: { "content-type": "application/json", "x-custom": "1" },
      cookies: ["a=1; Path=/; HttpOnly", "b=2; Path=/; Secure"],
      body: '{"ok":true}',
      isBase64Encoded: false,
    });
  });

  it("lowercases names and still separates Set-Cookie with yoga's own Response class", async () => {
    const { Response: YogaResponse } = createTestYoga(issuer).fetchAPI;
    const response = new YogaResponse("{}", { headers: { "Content-Type": "application/json", Allow: "POST" } });
    response.headers.append("Set-Cookie", "a=1");
    response.headers.append("Set-Cookie", "b=2");
    const result = await toLambdaResult(response as Response);
    expect(result.headers).toMatchObject({ "content-type": "application/json", allow: "POST" });
    expectLowercaseHeaders(result);
    expect(Object.keys(result.headers!)).not.toContain("set-cookie");
    expect(result.cookies).toEqual(["a=1", "b=2"]);
  });

  it("base64-encodes a binary body", async () => {
    const bytes = new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0x00, 0xff, 0x10]);
    const result = await toLambdaResult(new Response(bytes, { headers: { "content-type": "image/png" } }));
    expect(result.isBase64Encoded).toBe(true);
    expect(Buffer.from(result.body!, "base64")).toEqual(Buffer.from(bytes));
    expect(result.cookies).toBeUndefined();
  });

  it.each(["text/html; charset=utf-8", "application/graphql-response+json; charset=utf-8", "image/svg+xml"])(
    "keeps a %s body as text",
    async (contentType) => {
      const result = await toLambdaResult(new Response("<x>é</x>", { headers: { "content-type": contentType } }));
      expect(result).toMatchObject({ body: "<x>é</x>", isBase64Encoded: false });
    },
  );
});

describe("src/lambda.ts, configured by environment", () => {
  const clientId = "test-app-client";
  let pool: TestIssuer;
  let issuerUrl: string;
  let lambda: Handler;

  /** A Cognito-shaped token: RS256 with the pool's kid; ID tokens carry aud, access tokens client_id. */
  function cognitoToken(sub: string, use: "id" | "access", signingKey?: CryptoKey) {
    return pool.token(sub, { use, signingKey });
  }

  beforeAll(async () => {
    pool = await createTestIssuer({ poolId: "eu-west-1_TestPool", clientId });
    issuerUrl = pool.settings.issuer;
    vi.stubEnv("AUTH_ISSUER", issuerUrl);
    vi.stubEnv("AUTH_AUDIENCE", clientId);
    vi.stubEnv("PROTECTED_STAGE", "false");
    lambda = (await import("../src/lambda.ts")).handler;
  });
  afterAll(async () => {
    await pool?.close();
  });

  it("answers { __typename }", async () => {
    const result = await lambda(apiGatewayEvent({ method: "GET", query: { query: "{ __typename }" } }));
    expect(result.statusCode).toBe(200);
    expect(resultJson(result)).toEqual({ data: { __typename: "Query" } });
    expectLowercaseHeaders(result);
  });

  it("verifies Cognito access tokens against the pool's JWKS and stores notes in the env table; ID tokens are not for the API", async () => {
    const userId = randomUUID();
    const accessToken = await cognitoToken(userId, "access");
    const create = 'mutation { createNote(input: { content: "from the Lambda" }) { id content } }';
    const created = await lambda(graphqlPostEvent({ query: create }, { token: accessToken }));
    expect(resultJson(created).data.createNote.content).toBe("from the Lambda");

    const listed = await lambda(
      graphqlPostEvent({ query: "{ me { id } notes { edges { node { id } } } }" }, { token: accessToken }),
    );
    expect(resultJson(listed).data).toEqual({
      me: { id: userId },
      notes: { edges: [{ node: { id: resultJson(created).data.createNote.id } }] },
    });

    const idToken = await cognitoToken(userId, "id");
    const asId = await lambda(graphqlPostEvent({ query: "{ me { id } }" }, { token: idToken }));
    expect(resultJson(asId)).toEqual({ data: { me: null } });
  });

  it("treats a token signed outside the pool as no token", async () => {
    const { privateKey } = await generateKeyPair("RS256");
    const forged = await cognitoToken(randomUUID(), "access", privateKey);
    const result = await lambda(graphqlPostEvent({ query: "{ me { id } }" }, { token: forged }));
    expect(resultJson(result)).toEqual({ data: { me: null } });
  });

  it("refuses cognito-local's tokens: its signing key ships in the emulator's package, so anyone can sign with it", async () => {
    const emulatorKey = await importJWK(
      (createRequire(import.meta.url)("cognito-local/lib/keys/cognitoLocal.private.json") as { jwk: JWK }).jwk,
      "RS256",
    );
    const emulatorToken = (issuer: string) =>
      new SignJWT({ token_use: "access", client_id: clientId })
        .setProtectedHeader({ alg: "RS256", kid: "CognitoLocal" })
        .setSubject(randomUUID())
        .setIssuer(issuer)
        .setIssuedAt()
        .setExpirationTime("1h")
        .sign(emulatorKey);
    // As the emulator issues it, and forged to name this stage's pool and client exactly.
    for (const token of [await emulatorToken(`${LOCAL_ISSUER_DOMAIN}/local_Pool`), await emulatorToken(issuerUrl)]) {
      const result = await lambda(graphqlPostEvent({ query: "{ me { id } }" }, { token }));
      expect(resultJson(result)).toEqual({ data: { me: null } });
    }
  });

  it("serves GraphiQL on an unprotected stage", async () => {
    const result = await lambda(apiGatewayEvent({ method: "GET", headers: { accept: "text/html" } }));
    expect(result.statusCode).toBe(200);
    expect(result.headers?.["content-type"]).toMatch(/^text\/html/);
  });
});
