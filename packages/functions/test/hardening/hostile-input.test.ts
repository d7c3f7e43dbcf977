import { randomUUID } from "node:crypto";
import { serverAudits } from "graphql-http";
import { describe, expect, it } from "vitest";
import { queryLimits } from "../../src/graphql/armor.ts";
import { MAX_BODY_BYTES } from "../../src/http/limits.ts";
import {
  CREATE,
  READ,
  allNotes,
  expectData,
  expectRefused,
  leaksIn,
  postGraphQL,
  rawRequest,
  sendUntilRefused,
  useLocalApi,
} from "./local-api.ts";

/** Hostile requests against the real local server over HTTP: each is refused cleanly, never a 5xx. */
const api = useLocalApi();

async function newUser() {
  const id = `hostile-${randomUUID()}`;
  return { id, token: await api.token(id) };
}

const JSON_HEADERS = { "content-type": "application/json", accept: "application/graphql-response+json" };

function post(body: string | Buffer | Buffer[], headers: Record<string, string> = JSON_HEADERS) {
  return rawRequest(api.url, { headers, body });
}

function aliases(n: number, field = "me { id }") {
  return Array.from({ length: n }, (_, i) => `a${i}: ${field}`).join(" ");
}

function nestedInlineFragments(levels: number) {
  return `{ me { ${"... on User { ".repeat(levels)}id${" }".repeat(levels)} } }`;
}

/** Real nesting: introspection's type references, `levels` fields deep below `__type`. */
function nestedTypeReferences(levels: number) {
  return `{ __type(name: "Note") { ${"ofType { ".repeat(levels)}name${" }".repeat(levels)} } }`;
}

/** A page of notes with every field and the full PageInfo, as Apollo or Relay ask for it. */
function page(first: string) {
  return `notes${first} { edges { cursor node { id content attachment { fileName contentType size url } createdAt updatedAt version } } pageInfo { hasNextPage hasPreviousPage startCursor endCursor } }`;
}

describe("query shape limits (graphql-armor)", () => {
  it(`serves ${queryLimits.maxAliases} aliases`, async () => {
    const data = expectData(await postGraphQL(api.url, `{ ${aliases(queryLimits.maxAliases)} }`));
    expect(Object.keys(data)).toHaveLength(queryLimits.maxAliases);
  });

  it("refuses an alias bomb one over the limit with GRAPHQL_VALIDATION_FAILED and no data", async () => {
    const error = expectRefused(
      await postGraphQL(api.url, `{ ${aliases(queryLimits.maxAliases + 1)} }`),
      "GRAPHQL_VALIDATION_FAILED",
      { status: 400 },
    );
    expect(error.message).toBe(`Aliases limit of 15 exceeded, found 16.`);
  });

  it("refuses a mutation alias bomb before anything is written", async () => {
    const user = await newUser();
    const bomb = `mutation { ${aliases(40, 'createNote(input: { content: "dup" }) { id }')} }`;
    expectRefused(await postGraphQL(api.url, bomb, undefined, { token: user.token }), "GRAPHQL_VALIDATION_FAILED");
    expect(await allNotes(api.url, user.token)).toEqual([]);
  });

  it("refuses a 10,000-alias bomb at the parser (token limit)", async () => {
    const error = expectRefused(
      await postGraphQL(api.url, `{ ${aliases(10_000, "__typename")} }`),
      "GRAPHQL_PARSE_FAILED",
      { status: 400 },
    );
    expect(error.message).toBe(`Syntax Error: Document contains more that ${queryLimits.maxTokens} tokens. Parsing aborted.`);
  });

  it("refuses a directive flood", async () => {
    const flood = `{ ${"__typename @skip(if: false) ".repeat(queryLimits.maxDirectives + 1)} }`;
    const error = expectRefused(await postGraphQL(api.url, flood), "GRAPHQL_VALIDATION_FAILED", { status: 400 });
    expect(error.message).toBe("Directives limit of 50 exceeded, found 51.");
    expectData(await postGraphQL(api.url, `{ ${"__typename @skip(if: false) ".repeat(queryLimits.maxDirectives)} }`));
  });

  it("refuses repeated directives on one field", async () => {
    expectRefused(
      await postGraphQL(api.url, `{ me @include(if: true) @include(if: true) { id } }`),
      "GRAPHQL_VALIDATION_FAILED",
    );
  });

  it("refuses a token flood at the parser, counting tokens not bytes", async () => {
    expectData(await postGraphQL(api.url, `{ ${"__typename ".repeat(700)} }`));
    expectData(await postGraphQL(api.url, `{ __typename ${"# comment\n".repeat(50_000)} }`));
    const error = expectRefused(
      await postGraphQL(api.url, `{ ${"__typename ".repeat(queryLimits.maxTokens - 1)} }`),
      "GRAPHQL_PARSE_FAILED",
      { status: 400 },
    );
    expect(error.message).toMatch(/more that 1000 tokens/);
  });

  it("refuses ~1,000 identical fields (a field-merge bomb) by graphql-js's validation budget", async () => {
    const error = expectRefused(
      await postGraphQL(api.url, `{ ${"__typename ".repeat(queryLimits.maxTokens - 2)} }`),
      "GRAPHQL_VALIDATION_FAILED",
      { status: 400 },
    );
    expect(error.message).toBe("Validation aborted.");
  });

  it("refuses a query nested past the depth limit", async () => {
    expectData(await postGraphQL(api.url, nestedTypeReferences(queryLimits.maxDepth - 2)));
    const error = expectRefused(
      await postGraphQL(api.url, nestedTypeReferences(queryLimits.maxDepth - 1)),
      "GRAPHQL_VALIDATION_FAILED",
      { status: 400 },
    );
    expect(error.message).toBe("Query depth limit of 6 exceeded, found 7.");
  });

  it("counts depth by fields: fragment spreads and inline fragments add no level", async () => {
    const user = await newUser();
    // Relay's and Apollo's compiled shape: one fragment per level, 3 fields deep.
    const spreads = `{ notes { ...Connection } }
      fragment Connection on NoteConnection { edges { ...Edge } pageInfo { ...Page } }
      fragment Edge on NoteEdge { cursor node { ...NoteFields } }
      fragment Page on PageInfo { hasNextPage endCursor }
      fragment NoteFields on Note { ...NoteId content }
      fragment NoteId on Note { id }`;
    expectData(await postGraphQL(api.url, spreads, undefined, { token: user.token }));
    expectData(await postGraphQL(api.url, nestedInlineFragments(50)));
  });

  it("refuses 200 levels of nesting without exhausting the stack", async () => {
    const result = await postGraphQL(api.url, nestedTypeReferences(200));
    expect(result.status).toBe(400);
    expect(leaksIn(result.text)).toEqual([]);
    expect(result.json.data).toBeUndefined();
  });

  it.each([
    ["a fragment spreading itself", "{ me { ...A } } fragment A on User { id ...A }"],
    ["two fragments spreading each other", "{ me { ...A } } fragment A on User { id ...B } fragment B on User { ...A }"],
    ["a three-fragment cycle", "{ me { ...A } } fragment A on User { ...B } fragment B on User { ...C } fragment C on User { id ...A }"],
  ])("refuses %s", async (_label, query) => {
    expectRefused(await postGraphQL(api.url, query), "GRAPHQL_VALIDATION_FAILED", { status: 400 });
  });

  it("refuses an exponential fragment fan-out (its cost is counted without expanding it)", async () => {
    const levels = 30;
    const fragments = Array.from({ length: levels }, (_, i) =>
      i === 0
        ? "fragment F0 on Note { id content version }"
        : `fragment F${i} on Note { ...F${i - 1} ...F${i - 1} }`,
    );
    const query = `{ notes { edges { node { ...F${levels - 1} } } } } ${fragments.join(" ")}`;
    const result = await postGraphQL(api.url, query);
    expectRefused(result, "GRAPHQL_VALIDATION_FAILED", { status: 400 });
    const messages = result.json.errors.map((e: { message: string }) => e.message);
    expect(messages).toContainEqual(expect.stringMatching(/^Query Cost limit of 3000 exceeded, found (\d+|over 10\^12)\.$/));
  });

  it("refuses two full pages of 100 notes in one request by cost", async () => {
    const error = expectRefused(await postGraphQL(api.url, `{ a: ${page("(first: 100)")} b: ${page("(first: 100)")} }`), "GRAPHQL_VALIDATION_FAILED", {
      status: 400,
    });
    expect(error.message).toBe("Query Cost limit of 3000 exceeded, found 3602.");
  });

  it("prices a page by the size requested: a variable's value, its default, or the argument's default", async () => {
    const user = await newUser();
    const aliasedPages = (n: number) => Array.from({ length: n }, (_, i) => `a${i}: ${page("(first: $f)")}`).join(" ");
    // Fifteen aliased full pages by variable: refused; the same fifteen pages of one note each: served.
    const fifteenFull = await postGraphQL(api.url, `query($f: Int) { ${aliasedPages(15)} }`, { f: 100 }, { token: user.token });
    expect(expectRefused(fifteenFull, "GRAPHQL_VALIDATION_FAILED", { status: 400 }).message).toBe(
      "Query Cost limit of 3000 exceeded, found 27015.",
    );
    expectData(await postGraphQL(api.url, `query($f: Int) { ${aliasedPages(15)} }`, { f: 1 }, { token: user.token }));
    // A variable's default counts when the variable is not given.
    const byDefault = await postGraphQL(api.url, `query($f: Int = 100) { ${aliasedPages(2)} }`, {}, { token: user.token });
    expect(expectRefused(byDefault, "GRAPHQL_VALIDATION_FAILED", { status: 400 }).message).toBe(
      "Query Cost limit of 3000 exceeded, found 3602.",
    );
    // An omitted first is the schema's default page of 20: eight fit, nine do not.
    const defaultPages = (n: number) => Array.from({ length: n }, (_, i) => `d${i}: ${page("")}`).join(" ");
    expectData(await postGraphQL(api.url, `{ ${defaultPages(8)} }`, undefined, { token: user.token }));
    expect(expectRefused(await postGraphQL(api.url, `{ ${defaultPages(9)} }`), "GRAPHQL_VALIDATION_FAILED", { status: 400 }).message).toBe(
      "Query Cost limit of 3000 exceeded, found 3249.",
    );
  });

  it("prices a page over the maximum as the maximum: the resolver refuses it with BAD_USER_INPUT", async () => {
    const user = await newUser();
    const result = await postGraphQL(api.url, `query($f: Int) { ${page("(first: $f)")} }`, { f: 1_000_000 }, { token: user.token });
    expect(result.json.errors.map((e: { extensions: { code: string } }) => e.extensions.code)).toEqual(["BAD_USER_INPUT"]);
  });

  it("prices nodes(ids:) by the ids given", async () => {
    const user = await newUser();
    const ids = (n: number) => Array.from({ length: n }, () => "01ARZ3NDEKTSV4RRFFQ69G5FAV");
    const nodes = "nodes(ids: $ids) { id ... on Note { content attachment { fileName contentType size url } createdAt updatedAt version } }";
    const aliased = (n: number) => Array.from({ length: n }, (_, i) => `n${i}: ${nodes}`).join(" ");
    expectData(await postGraphQL(api.url, `query($ids: [ID!]!) { ${aliased(15)} }`, { ids: ids(10) }, { token: user.token }));
    const error = expectRefused(
      await postGraphQL(api.url, `query($ids: [ID!]!) { ${aliased(15)} }`, { ids: ids(100) }, { token: user.token }),
      "GRAPHQL_VALIDATION_FAILED",
      { status: 400 },
    );
    expect(error.message).toMatch(/^Query Cost limit of 3000 exceeded, found \d+\.$/);
  });

  it("accepts a full page of 100 notes with every field (the heaviest real query)", async () => {
    const user = await newUser();
    expectData(await postGraphQL(api.url, `{ ${page("(first: 100)")} }`, undefined, { token: user.token }));
    expectData(await postGraphQL(api.url, `query($f: Int!) { ${page("(first: $f)")} }`, { f: 100 }, { token: user.token }));
  });
});

describe("transport limits", () => {
  const threeMegabytes = () => Buffer.alloc(3 * 1024 * 1024, "a");

  it("answers a 3 MB body with a Content-Length 413 without reading it", async () => {
    const result = await post(threeMegabytes());
    expectRefused(result, "PAYLOAD_TOO_LARGE", { status: 413 });
    expect(result.headers["x-request-id"]).toBeTruthy();
  });

  it("answers a 3 MB chunked body (no Content-Length) with 413", async () => {
    const body = threeMegabytes();
    const chunks = Array.from({ length: 48 }, (_, i) => body.subarray(i * 65_536, (i + 1) * 65_536));
    expectRefused(await post(chunks), "PAYLOAD_TOO_LARGE", { status: 413 });
  });

  it("cuts off a sender that never stops, without buffering what it sent, and serves the next connection", async () => {
    const rssBefore = process.memoryUsage().rss;
    const sent = await sendUntilRefused(api.url, 200 * 1024 * 1024);
    // The server reads and drops at most 16 MiB after its 413; the rest is loopback socket buffers.
    expect(sent.bytes).toBeLessThan(48 * 1024 * 1024);
    if (sent.status !== undefined) expect(sent.status).toBe(413);
    else expect(sent.error).toMatch(/ECONNRESET|EPIPE/);
    expect(process.memoryUsage().rss - rssBefore).toBeLessThan(64 * 1024 * 1024);
    expect(expectData(await post(JSON.stringify({ query: "{ __typename }" })))).toEqual({ __typename: "Query" });
  });

  it("serves a body of exactly 1 MiB", async () => {
    const base = JSON.stringify({ query: "{ __typename }", extensions: { pad: "" } });
    const body = JSON.stringify({ query: "{ __typename }", extensions: { pad: "a".repeat(MAX_BODY_BYTES - base.length) } });
    expect(Buffer.byteLength(body)).toBe(MAX_BODY_BYTES);
    expect(expectData(await post(body))).toEqual({ __typename: "Query" });
  });

  it("refuses 1,000,000 characters of content with BAD_USER_INPUT and writes nothing", async () => {
    const user = await newUser();
    const result = await postGraphQL(api.url, CREATE, { input: { content: "x".repeat(1_000_000) } }, { token: user.token });
    expect(Buffer.byteLength(JSON.stringify({ query: CREATE, variables: { input: { content: "x".repeat(1_000_000) } } }))).toBeLessThan(MAX_BODY_BYTES);
    expect(result.status).toBe(200);
    expect(result.json.errors.map((e: { extensions: { code: string } }) => e.extensions.code)).toEqual(["BAD_USER_INPUT"]);
    expect(result.json.data).toBeNull();
    expect(result.text.length).toBeLessThan(1_000);
    expect(await allNotes(api.url, user.token)).toEqual([]);
  });

  it("refuses 1,000,000 characters of content as a query literal too", async () => {
    const user = await newUser();
    const query = `mutation { createNote(input: { content: "${"y".repeat(1_000_000)}" }) { id } }`;
    const result = await postGraphQL(api.url, query, undefined, { token: user.token });
    expect(result.json.errors[0].extensions.code).toBe("BAD_USER_INPUT");
    expect(await allNotes(api.url, user.token)).toEqual([]);
  });

  it("answers 1,000,000 two-byte characters (2 MB) with 413", async () => {
    const user = await newUser();
    const result = await postGraphQL(api.url, CREATE, { input: { content: "é".repeat(1_000_000) } }, { token: user.token });
    expectRefused(result, "PAYLOAD_TOO_LARGE", { status: 413 });
  });

  it.each([
    ["an unterminated object", '{"query": "{ me { id } }"'],
    ["a trailing comma", '{"query": "{ me { id } }",}'],
    ["single quotes", "{'query': '{ me { id } }'}"],
    ["a bare word", "query"],
    ["an empty object key", '{"": 1}'],
  ])("answers malformed JSON (%s) with 400 and a clear message", async (_label, body) => {
    const result = await post(body);
    expect(result.status).toBe(400);
    expect(result.json.errors[0].extensions).toEqual({ code: "BAD_REQUEST" });
    expect(result.json.errors[0].message).toMatch(/JSON|parameter|query/i);
    expect(leaksIn(result.text, body)).toEqual([]);
  });

  it("refuses JSON nested 100,000 levels deep in a variable with GRAPHQL_VALIDATION_FAILED", async () => {
    const user = await newUser();
    const nested = `${"[".repeat(100_000)}${"]".repeat(100_000)}`;
    const body = `{"query":${JSON.stringify(CREATE)},"variables":{"input":{"content":${nested}}}}`;
    const result = await post(body, { ...JSON_HEADERS, authorization: `Bearer ${user.token}` });
    expectRefused(result, "GRAPHQL_VALIDATION_FAILED", { status: 400 });
    expect(result.text.length).toBeLessThan(2_000);
    expect(await allNotes(api.url, user.token)).toEqual([]);
  });

  it.each([
    ["one operation", [{ query: "{ me { id } }" }]],
    ["1,000 operations", Array.from({ length: 1_000 }, () => ({ query: "{ me { id } }" }))],
  ])("refuses a batch array of %s with 400", async (_label, batch) => {
    const error = expectRefused(await post(JSON.stringify(batch)), "BAD_REQUEST", { status: 400 });
    expect(error.message).toBe("Batching is not supported.");
  });

  it.each([
    ["text/plain", 415],
    ["application/xml", 415],
    ["multipart/form-data; boundary=x", 415],
    ["", 415],
  ])("answers Content-Type %j with %i", async (contentType, status) => {
    const headers: Record<string, string> = contentType ? { "content-type": contentType } : {};
    const body = contentType.startsWith("multipart")
      ? '--x\r\nContent-Disposition: form-data; name="operations"\r\n\r\n{"query":"{ me { id } }"}\r\n--x--\r\n'
      : '{"query":"{ me { id } }"}';
    const result = await post(body, headers);
    expect(result.status).toBe(status);
    expect(leaksIn(result.text)).toEqual([]);
  });

  it("answers an unacceptable Accept with 406", async () => {
    const result = await post('{"query":"{ me { id } }"}', { "content-type": "application/json", accept: "application/xml" });
    expect(result.status).toBe(406);
  });

  it.each(["PUT", "DELETE", "PATCH"])("answers %s with API Gateway's 404: the API has no such route", async (method) => {
    const result = await rawRequest(api.url, { method, headers: JSON_HEADERS, body: '{"query":"{ me { id } }"}' });
    expect([result.status, result.json]).toEqual([404, { message: "Not Found" }]);
  });

  it("refuses a mutation over GET with 405 and writes nothing", async () => {
    const user = await newUser();
    const query = encodeURIComponent('mutation { createNote(input: { content: "via GET" }) { id } }');
    const result = await rawRequest(`${api.url}?query=${query}`, {
      method: "GET",
      headers: { authorization: `Bearer ${user.token}`, accept: "application/graphql-response+json" },
    });
    expect(result.status).toBe(405);
    expect(await allNotes(api.url, user.token)).toEqual([]);
  });

  it("answers a 20 KB header with a 4xx from the HTTP layer", async () => {
    const result = await rawRequest(api.url, {
      headers: { ...JSON_HEADERS, authorization: `Bearer ${"a".repeat(20_000)}` },
      body: '{"query":"{ me { id } }"}',
    });
    expect(result.status).toBe(431);
  });
});

describe("request content", () => {
  it.each([
    ["a string for Int", "query($n: Int) { notes(first: $n) { pageInfo { hasNextPage } } }", { n: "ten" }],
    ["a float for Int", "query($n: Int) { notes(first: $n) { pageInfo { hasNextPage } } }", { n: 1.5 }],
    ["an integer beyond 32 bits", "query($n: Int) { notes(first: $n) { pageInfo { hasNextPage } } }", { n: 2 ** 40 }],
    ["an object for ID!", READ, { id: { $ne: null } }],
    ["an array for ID!", READ, { id: ["a", "b"] }],
    ["null for ID!", READ, { id: null }],
    ["a missing required variable", READ, {}],
    ["a number for content", CREATE, { input: { content: 42 } }],
    ["a string for the input object", CREATE, { input: "content" }],
    ["an unknown input field", CREATE, { input: { content: "x", userId: "someone-else" } }],
  ])("refuses %s with GRAPHQL_VALIDATION_FAILED, 400, nothing written", async (_label, query, variables) => {
    const user = await newUser();
    expectRefused(await postGraphQL(api.url, query, variables, { token: user.token }), "GRAPHQL_VALIDATION_FAILED", {
      status: 400,
    });
    expect(await allNotes(api.url, user.token)).toEqual([]);
  });

  it("answers malformed JSON in GET or form-encoded variables/extensions with 400 BAD_REQUEST", async () => {
    const url = new URL(api.url);
    for (const params of ["variables=notjson", "variables=%7B%22a%22%3A", "extensions=%7B"]) {
      url.search = `query=%7Bme%7Bid%7D%7D&${params}`;
      const result = await rawRequest(url.href, { method: "GET", headers: { accept: "application/graphql-response+json" } });
      expect(result.status, params).toBe(400);
      expect(result.json.errors[0].extensions, params).toEqual({ code: "BAD_REQUEST" });
      expect(result.json.errors[0].message).toBe("The variables or extensions parameter is not valid JSON.");
    }
    const form = await rawRequest(api.url, {
      headers: { "content-type": "application/x-www-form-urlencoded", accept: "application/graphql-response+json" },
      body: "query=%7Bme%7Bid%7D%7D&variables=%7Bbroken",
    });
    expect(form.status).toBe(400);
    expect(form.json.errors[0].extensions).toEqual({ code: "BAD_REQUEST" });
  });

  it("refuses a subscription field that does not exist with GRAPHQL_VALIDATION_FAILED", async () => {
    const error = expectRefused(await postGraphQL(api.url, "subscription { me { id } }"), "GRAPHQL_VALIDATION_FAILED", {
      status: 400,
    });
    expect(error.message).toBe('Cannot query field "me" on type "Subscription".');
  });

  it("answers a Host header no URL can be made of with 400, for GET and for POST with a body", async () => {
    for (const method of ["GET", "POST"]) {
      const result = await rawRequest(api.url, {
        method,
        headers: { host: "[bad", ...JSON_HEADERS },
        body: method === "POST" ? JSON.stringify({ query: "{ me { id } }" }) : undefined,
      });
      expect(result.status, method).toBe(400);
      expect(result.json.errors[0]).toEqual({
        message: "The Host header is not a valid host.",
        extensions: { code: "BAD_REQUEST" },
      });
    }
  });

  it("refuses an unknown operation name with yoga's OPERATION_RESOLUTION_FAILURE", async () => {
    const result = await postGraphQL(api.url, "query A { me { id } } query B { me { id } }", undefined, {
      operationName: "C".repeat(5_000),
    });
    expectRefused(result, "OPERATION_RESOLUTION_FAILURE", { status: 400 });
    expect(result.text.length).toBeLessThan(500);
  });

  it.each([
    ["a lone 0xFF byte", Buffer.from([0xff])],
    ["a truncated two-byte sequence", Buffer.from([0xc3])],
    ["an overlong encoding of '/'", Buffer.from([0xc0, 0xaf])],
    ["a UTF-8-encoded surrogate", Buffer.from([0xed, 0xa0, 0x80])],
    ["a code point above U+10FFFF", Buffer.from([0xf4, 0x90, 0x80, 0x80])],
  ])("refuses invalid UTF-8 (%s) inside a string with 400, nothing written", async (_label, bad) => {
    const user = await newUser();
    const [before, after] = JSON.stringify({ query: CREATE, variables: { input: { content: "ab|cd" } } }).split("|");
    const body = Buffer.concat([Buffer.from(before!), bad, Buffer.from(after!)]);
    const result = await post(body, { ...JSON_HEADERS, authorization: `Bearer ${user.token}` });
    const error = expectRefused(result, "BAD_REQUEST", { status: 400 });
    expect(error.message).toBe("Request body is not valid UTF-8.");
    expect(await allNotes(api.url, user.token)).toEqual([]);
  });

  it("refuses a NUL byte in the query text with GRAPHQL_PARSE_FAILED", async () => {
    expectRefused(await postGraphQL(api.url, "{ me\u0000 { id } }"), "GRAPHQL_PARSE_FAILED", { status: 400 });
  });

  it("does not pollute prototypes through __proto__ in variables", async () => {
    const user = await newUser();
    const body = `{"query":${JSON.stringify(CREATE)},"variables":{"input":{"content":"proto","__proto__":{"polluted":"yes"}},"__proto__":{"polluted":"yes"}}}`;
    const result = await post(body, { ...JSON_HEADERS, authorization: `Bearer ${user.token}` });
    expect(result.status).toBeLessThan(500);
    expect(({} as { polluted?: string }).polluted).toBeUndefined();
    expect(leaksIn(result.text, body)).toEqual([]);
  });

  const oddUnicode: [string, string][] = [
    ["an RTL override", "invoice\u202Efdp.exe"],
    ["NUL characters", "before\u0000middle\u0000after"],
    ["emoji and ZWJ sequences", "👩‍👩‍👧‍👦 🏳️‍🌈 👍🏽 🇫🇷"],
    ["combining marks", "e\u0301 a\u0308 Z\u0351\u0352\u0353\u0354\u0355"],
    ["a BOM and zero-width characters", "\uFEFFzero\u200Bwidth\u200D\u2060joiner"],
    ["line and paragraph separators", "one\u2028two\u2029three\r\nfour\rfive\nsix\ttab"],
    ["astral-plane characters", "𝕏𝔂𝓏 𐍈 𠜎"],
    ["right-to-left scripts", "שלום عليكم"],
    ["C0 and C1 controls", "\u0001\u0007\u001B[31m\u007F\u0085\u009F"],
    ["noncharacters", "\uFFFE\uFFFF\uFDD0"],
  ];

  it.each(oddUnicode)("stores and returns %s byte-exact", async (_label, content) => {
    const user = await newUser();
    const created = expectData(await postGraphQL(api.url, CREATE, { input: { content } }, { token: user.token }))
      .createNote;
    expect(Buffer.from(created.content)).toEqual(Buffer.from(content));
    const read = expectData(await postGraphQL(api.url, READ, { id: created.id }, { token: user.token })).note;
    expect(Buffer.from(read.content)).toEqual(Buffer.from(content));
    const [listed] = await allNotes(api.url, user.token);
    expect(Buffer.from(listed!.content)).toEqual(Buffer.from(content));
  });

  it("refuses a lone surrogate (valid JSON escape, invalid text) with BAD_USER_INPUT", async () => {
    const user = await newUser();
    const body = `{"query":${JSON.stringify(CREATE)},"variables":{"input":{"content":"half \\ud83d of an emoji"}}}`;
    const result = await post(body, { ...JSON_HEADERS, authorization: `Bearer ${user.token}` });
    expect(result.status).toBe(200);
    expect(result.json.errors[0].extensions.code).toBe("BAD_USER_INPUT");
    expect(await allNotes(api.url, user.token)).toEqual([]);
  });
});

describe("large notes", () => {
  // Known bug in core Note.list: DynamoDB stops a Query at 1 MB, and hasNextPage ignores
  // LastEvaluatedKey, so a page of big notes ends early and the older notes are unreachable.
  it("pages through 25 notes of 50,000 characters completely with first: 100", async () => {
    const user = await newUser();
    for (let i = 0; i < 25; i++) {
      const content = `${i}:`.padEnd(50_000, "z");
      expectData(await postGraphQL(api.url, CREATE, { input: { content } }, { token: user.token }));
    }
    expect(await allNotes(api.url, user.token, 100)).toHaveLength(25);
  });
});

describe("GraphQL-over-HTTP over the node listener", () => {
  it("passes every graphql-http server audit, MUST and SHOULD", async () => {
    const audits = serverAudits({ url: () => api.url, fetchFn: fetch });
    const failed: string[] = [];
    for (const audit of audits) {
      const result = await audit.fn();
      if (result.status !== "ok") failed.push(`${audit.id} ${audit.name}: ${result.reason}`);
    }
    expect(audits.length).toBeGreaterThan(40);
    expect(failed).toEqual([]);
  });
});

describe("after all of the above", () => {
  it("the server still answers", async () => {
    expect(expectData(await postGraphQL(api.url, "{ __typename }"))).toEqual({ __typename: "Query" });
  });
});
