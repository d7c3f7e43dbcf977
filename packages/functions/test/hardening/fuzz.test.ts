import fc from "fast-check";
import { beforeAll, describe, expect, it } from "vitest";
import { CREATE, LIST, READ, UPDATE, expectData, leaksIn, rawRequest, useLocalApi } from "./local-api.ts";

/**
 * A seeded fuzzer over real HTTP: real operations and variables, mutated (query text spliced,
 * variables replaced, envelopes and headers bent). Invariants: never a 5xx, never a leak.
 * FUZZ_SEED and FUZZ_RUNS override the fixed seed and the run count.
 */
const SEED = Number(process.env.FUZZ_SEED ?? 20_241_124);
const RUNS = Math.min(Number(process.env.FUZZ_RUNS ?? 300), 2_000);

const api = useLocalApi();
let token: string;
let noteId: string;

beforeAll(async () => {
  token = await api.token("fuzz-user");
  const created = await rawRequest(api.url, {
    headers: { "content-type": "application/json", authorization: `Bearer ${token}` },
    body: JSON.stringify({ query: CREATE, variables: { input: { content: "seed note" } } }),
  });
  noteId = expectData(created).createNote.id;
});

interface Operation {
  query: string;
  variables: Record<string, unknown>;
}

const operations = (): Operation[] => [
  { query: "query Me { me { id } }", variables: {} },
  { query: READ, variables: { id: noteId } },
  { query: LIST, variables: { first: 5, after: null } },
  { query: CREATE, variables: { input: { content: "fuzzed", attachmentUploadId: null } } },
  { query: UPDATE, variables: { input: { id: noteId, content: "changed", expectedVersion: 1 } } },
  { query: "mutation Delete($id: ID!) { deleteNote(id: $id) { id } }", variables: { id: "01ARZ3NDEKTSV4RRFFQ69G5FAV" } },
  { query: "{ __schema { types { name fields { name } } } }", variables: {} },
];

const FRAGMENTS = [
  "{", "}", "(", ")", "[", "]", ":", "$", "!", "=", "@", "...", "|", "&", "#", '"', '"""', "\\", ",",
  "me", "note", "notes", "createNote", "__typename", "__schema", "__type(name: \"Note\")", "on Note", "fragment F on Note { id }",
  "@skip(if: true)", "@include(if: $x)", "@deprecated", "first: -1", "first: 101", "first: 2147483648", "after: \"\"",
  "a: me { id }", "query", "mutation", "subscription", "input: {}", "null", "true", "1e999", "0x1F", "-0",
  "\u0000", "\u202E", "\uD83D", "😀", "\n", "\t", " ".repeat(50),
];

const insertion = fc.constantFrom(...FRAGMENTS);

/** Splices the query text: delete, insert, duplicate or truncate somewhere in it. */
const queryMutation = fc.oneof(
  fc.constant((q: string) => q),
  fc.tuple(fc.nat(), fc.nat({ max: 20 })).map(([at, n]) => (q: string) => q.slice(0, at % (q.length + 1)) + q.slice((at % (q.length + 1)) + n)),
  fc.tuple(fc.nat(), insertion).map(([at, s]) => (q: string) => q.slice(0, at % (q.length + 1)) + s + q.slice(at % (q.length + 1))),
  fc.tuple(fc.nat(), fc.nat({ max: 40 }), fc.integer({ min: 2, max: 30 })).map(([at, n, times]) => (q: string) => {
    const start = at % (q.length + 1);
    return q.slice(0, start) + q.slice(start, start + n).repeat(times) + q.slice(start);
  }),
  fc.nat().map((at) => (q: string) => q.slice(0, at % (q.length + 1))),
);

const hostileValue: fc.Arbitrary<unknown> = fc.oneof(
  fc.jsonValue({ maxDepth: 3 }),
  fc.string({ unit: "binary", maxLength: 200 }),
  fc.constantFrom(
    null, "", " ", 0, -1, 2 ** 31, 2 ** 53, 1.5, true, [], {}, "01ARZ3NDEKTSV4RRFFQ69G5FAV", "x".repeat(60_000),
    { $ne: null }, { __proto__: { polluted: 1 } }, "\uD800", "bm90ZTo=", "note:01ARZ3NDEKTSV4RRFFQ69G5FAV",
  ),
);

/** Replaces, removes or adds variables at any depth of the operation's own variables. */
const variablesMutation = fc.oneof(
  fc.constant((v: Record<string, unknown>) => v),
  fc.tuple(fc.nat(), hostileValue).map(([i, value]) => (v: Record<string, unknown>) => {
    const keys = Object.keys(v);
    return keys.length ? { ...v, [keys[i % keys.length]!]: value } : { x: value };
  }),
  fc.tuple(fc.nat(), fc.string({ maxLength: 12 }), hostileValue).map(([i, key, value]) => (v: Record<string, unknown>) => {
    const input = v.input as Record<string, unknown> | undefined;
    if (!input) return { ...v, [key]: value };
    const keys = Object.keys(input);
    return { ...v, input: { ...input, [i % 2 ? key : keys[i % keys.length]!]: value } };
  }),
  fc.constant((_v: Record<string, unknown>) => ({})),
  hostileValue.map((value) => (_v: Record<string, unknown>) => value as Record<string, unknown>),
);

/** Bends the request around the operation: envelope fields, JSON text, headers. */
const envelope = fc.record({
  operationName: fc.oneof(fc.constant(undefined), fc.string({ maxLength: 30 }), fc.constantFrom(null, 1, "Me", "Nope")),
  extensions: fc.oneof(fc.constant(undefined), hostileValue),
  auth: fc.constantFrom("valid", "none", "garbage", "bearer-only", "wrong-scheme"),
  contentType: fc.oneof(
    { arbitrary: fc.constantFrom("application/json", "application/json; charset=utf-8"), weight: 12 },
    {
      arbitrary: fc.constantFrom(
        "application/graphql-response+json",
        "text/plain",
        "application/x-www-form-urlencoded",
        "application/graphql",
      ),
      weight: 1,
    },
  ),
  accept: fc.oneof(
    { arbitrary: fc.constantFrom("application/graphql-response+json", "application/json", "*/*"), weight: 12 },
    { arbitrary: fc.constantFrom("text/html", "application/xml"), weight: 1 },
  ),
  breakJson: fc.oneof(
    { arbitrary: fc.constant(undefined), weight: 8 },
    { arbitrary: fc.tuple(fc.nat(), fc.constantFrom("", "{", "]", "\\", '"', "\u0000", "\xff")), weight: 1 },
  ),
});

const fuzzCase = fc.record({
  operation: fc.nat(),
  query: queryMutation,
  variables: variablesMutation,
  envelope,
});

describe("fuzzed requests", () => {
  it(`${RUNS} mutated requests: zero 5xx, zero leaks`, async () => {
    const statuses = new Map<number, number>();
    const failures: string[] = [];
    let requests = 0;
    console.log(`fuzz seed ${SEED}, ${RUNS} runs (FUZZ_SEED=${SEED} reproduces)`);

    await fc.assert(
      fc.asyncProperty(fuzzCase, async ({ operation, query, variables, envelope: env }) => {
        const base = operations()[operation % operations().length]!;
        const payload: Record<string, unknown> = { query: query(base.query), variables: variables(base.variables) };
        if (env.operationName !== undefined) payload.operationName = env.operationName;
        if (env.extensions !== undefined) payload.extensions = env.extensions;
        let body = JSON.stringify(payload);
        if (env.breakJson) {
          const at = env.breakJson[0] % (body.length + 1);
          body = body.slice(0, at) + env.breakJson[1] + body.slice(at + 1);
        }
        const headers: Record<string, string> = { "content-type": env.contentType, accept: env.accept };
        if (env.auth === "valid") headers.authorization = `Bearer ${token}`;
        if (env.auth === "garbage") headers.authorization = `Bearer ${token.split("").reverse().join("")}`;
        if (env.auth === "bearer-only") headers.authorization = "Bearer ";
        if (env.auth === "wrong-scheme") headers.authorization = `Basic ${token}`;

        const result = await rawRequest(api.url, { headers, body });
        requests++;
        statuses.set(result.status, (statuses.get(result.status) ?? 0) + 1);
        const leaks = leaksIn(result.text, body);
        if (result.status >= 500 || leaks.length) {
          failures.push(`${result.status} ${leaks.join(",")} ← ${body.slice(0, 300)} → ${result.text.slice(0, 300)}`);
        }
        // Over a limit or refused as a request: no data alongside a GraphQL error.
        if (result.json?.errors?.some((e: { extensions?: { code?: string } }) => /GRAPHQL_(PARSE|VALIDATION)_FAILED/.test(e.extensions?.code ?? ""))) {
          expect(result.json.data).toBeUndefined();
        }
        return result.status < 500 && leaks.length === 0;
      }),
      { seed: SEED, numRuns: RUNS, endOnFailure: true },
    );

    const histogram = [...statuses].sort(([a], [b]) => a - b).map(([status, n]) => `${status}×${n}`).join(" ");
    console.log(`fuzz: ${requests} requests, statuses ${histogram}`);
    expect(failures).toEqual([]);
    expect(requests).toBe(RUNS);
    // The mutations must reach deep enough to exercise both accepted and refused requests.
    expect(statuses.get(200) ?? 0).toBeGreaterThan(RUNS / 10);
    expect([...statuses.keys()].filter((status) => status >= 400).length).toBeGreaterThan(2);
  });
});
