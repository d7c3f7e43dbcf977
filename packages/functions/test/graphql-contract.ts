import { randomUUID } from "node:crypto";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { observeAwsCalls, type AwsCall } from "@notes/core/aws-calls";
import { configureDynamo } from "@notes/core/dynamo";
import { embeddedDynamoSettings } from "@notes/core/embedded-dynamo";
import type { Note } from "@notes/core/note";
import { generateKeyPair, UnsecuredJWT } from "jose";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { useEmbeddedTable } from "../../core/test/embedded-table.ts";
import { captureLogs } from "../src/log.ts";
import { recordAwsCall } from "../src/metrics.ts";
import { errorCodes, graphqlClient, inProcess, type GraphQLResponse } from "./graphql-client.ts";
import { startLocalApi, type LocalApi } from "./hardening/local-api.ts";
import { GRAPHQL_URL, createTestYoga } from "./harness.ts";
import { TEST_AUDIENCE, createTestIssuer, type TestIssuer } from "./test-issuer.ts";

/** Where the contract runs: yoga in this process, or `npm start`'s API Gateway in front of the built function. */
export type ContractTarget = "in-process" | "gateway";

/**
 * The SPEC's GraphQL contract on a real dynalite table: in-process through yoga.fetch, or over HTTP
 * through the local API Gateway and the built bundle in its workers (the same tokens either way:
 * the function is pointed at the test user pool).
 */
export function graphqlContract(target: ContractTarget) {
  let db: Awaited<ReturnType<typeof useEmbeddedTable>>;
  let issuer: TestIssuer;
  let gql: ReturnType<typeof graphqlClient>;
  let restoreLogs: () => void;
  let server: LocalApi | undefined;
  const inProcessOnly = target === "in-process";

  beforeAll(async () => {
    restoreLogs = captureLogs(() => {}, "SILENT");
    issuer = await createTestIssuer();
    if (inProcessOnly) {
      db = await useEmbeddedTable();
      gql = graphqlClient(GRAPHQL_URL, inProcess(createTestYoga(issuer)));
      return;
    }
    server = await startLocalApi({
      lambdaEnv: { AUTH_ISSUER: issuer.settings.issuer, AUTH_AUDIENCE: TEST_AUDIENCE, AUTH_JWKS_URL: issuer.settings.jwksUrl! },
    });
    gql = graphqlClient(server.url);
  }, 120_000);
  afterAll(async () => {
    await db?.close();
    await server?.close();
    await issuer?.close();
    restoreLogs?.();
  });

  interface User {
    id: string;
    token: string;
  }

  const NOTE = "id content attachment { fileName contentType size url } createdAt updatedAt version";
  const ME = "query Me { me { id } }";
  const READ = `query Read($id: ID!) { note(id: $id) { ${NOTE} } }`;
  const LIST = `query List($first: Int, $after: String) {
  notes(first: $first, after: $after) {
    edges { cursor node { ${NOTE} } }
    pageInfo { hasNextPage endCursor }
  }
}`;
  const CREATE = `mutation Create($input: CreateNoteInput!) { createNote(input: $input) { ${NOTE} } }`;
  const UPDATE = `mutation Update($input: UpdateNoteInput!) { updateNote(input: $input) { ${NOTE} } }`;
  const DELETE = `mutation Delete($id: ID!) { deleteNote(id: $id) { ${NOTE} } }`;

  const ULID = /^[0-7][0-9A-HJKMNP-TV-Z]{25}$/;
  const ISO_UTC = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;
  const MISSING_ID = "01ARZ3NDEKTSV4RRFFQ69G5FAV";

  /** A user id no other test touches, so tests can share one table. */
  async function newUser(): Promise<User> {
    const id = `user-${randomUUID()}`;
    return { id, token: await issuer.token(id) };
  }

  function expectData(response: GraphQLResponse) {
    expect(response.body.errors).toBeUndefined();
    expect(response.status).toBe(200);
    return response.body.data;
  }

  /** A refused request: one error with `code`, never a 5xx. */
  function expectError(response: GraphQLResponse, code: string) {
    expect(errorCodes(response.body)).toEqual([code]);
    expect(response.status).toBeLessThan(500);
    return response.body.errors![0]!;
  }

  async function createNote(user: User, input: { content: string; attachmentUploadId?: string | null }) {
    return expectData(await gql(CREATE, { input }, { token: user.token })).createNote as Note;
  }

  async function readNote(user: User, id: string): Promise<Note | null> {
    return expectData(await gql(READ, { id }, { token: user.token })).note;
  }

  /** Every note of the user, newest first, through the public paging API. */
  async function allNotes(user: User): Promise<Note[]> {
    const notes: Note[] = [];
    let after: string | null = null;
    for (;;) {
      const { notes: page } = expectData(await gql(LIST, { first: 100, after }, { token: user.token }));
      notes.push(...page.edges.map((edge: { node: Note }) => edge.node));
      if (!page.pageInfo.hasNextPage) return notes;
      after = page.pageInfo.endCursor;
    }
  }

  /** Replaces generated ids and timestamps so whole responses can be snapshotted. */
  function normalized(value: unknown): unknown {
    return JSON.parse(
      JSON.stringify(value)
        .replace(/"[0-7][0-9A-HJKMNP-TV-Z]{25}"/g, '"<ULID>"')
        .replace(/"\d{4}-\d{2}-\d{2}T[\d:.]+Z"/g, '"<DateTime>"'),
    );
  }

  describe("authentication", () => {
    it("me is null without a token", async () => {
      const response = await gql(ME);
      expect({ status: response.status, body: response.body }).toMatchInlineSnapshot(`
      {
        "body": {
          "data": {
            "me": null,
          },
        },
        "status": 200,
      }
    `);
    });

    it("me is the token's subject with a valid token", async () => {
      const user = await newUser();
      expect(expectData(await gql(ME, {}, { token: user.token }))).toEqual({ me: { id: user.id } });
    });

    describe("every note operation refuses a missing or invalid token", () => {
      let victim: User;
      let victimNote: Note;
      // Every bad credential names the victim, so a wrongly accepted one would touch her note.
      const badCredentials: [string, () => Promise<{ authorization?: string }>][] = [
        ["no Authorization header", async () => ({})],
        ["a tampered payload", async () => ({ authorization: `Bearer ${await tampered()}` })],
        ["an expired token", async () => bearer(await issuer.token(victim.id, { expiresAt: nowSeconds() - 60 }))],
        ["an alg none token", async () => bearer(unsigned(victim.id))],
        ["a wrong issuer", async () => bearer(await issuer.token(victim.id, { issuer: "https://evil.test" }))],
        ["another app client", async () => bearer(await issuer.token(victim.id, { audience: "other-app" }))],
        ["an ID token", async () => bearer(await issuer.token(victim.id, { use: "id" }))],
        [
          "an untrusted signing key",
          async () => bearer(await issuer.token(victim.id, { signingKey: await strangerKey() })),
        ],
        ["a non-JWT bearer value", async () => ({ authorization: "Bearer not-a-jwt" })],
        ["a Basic scheme", async () => ({ authorization: `Basic ${Buffer.from("a:b").toString("base64")}` })],
      ];

      function bearer(token: string) {
        return { authorization: `Bearer ${token}` };
      }
      function nowSeconds() {
        return Math.floor(Date.now() / 1000);
      }
      /** A validly signed token for someone else, with its payload swapped for the victim's. */
      async function tampered(): Promise<string> {
        const [header, , signature] = (await issuer.token("mallory")).split(".");
        const payload = { sub: victim.id, iss: issuer.settings.issuer, token_use: "access", client_id: TEST_AUDIENCE, exp: nowSeconds() + 3600 };
        return [header, Buffer.from(JSON.stringify(payload)).toString("base64url"), signature].join(".");
      }
      function unsigned(sub: string): string {
        return new UnsecuredJWT({ token_use: "access", client_id: TEST_AUDIENCE })
          .setSubject(sub)
          .setIssuer(issuer.settings.issuer)
          .setExpirationTime("1h")
          .encode();
      }
      async function strangerKey() {
        return (await generateKeyPair("RS256")).privateKey;
      }

      beforeAll(async () => {
        victim = await newUser();
        victimNote = await createNote(victim, { content: "victim's note" });
      });

      it.each(badCredentials)("with %s", async (_label, credential) => {
        const authorization = (await credential()).authorization;
        const send = (query: string, variables?: Record<string, unknown>) =>
          gql(query, variables, { authorization });

        expect(expectData(await send(ME))).toEqual({ me: null });
        const read = await send(READ, { id: victimNote.id });
        expectError(read, "UNAUTHENTICATED");
        expect(read.body.data).toEqual({ note: null });
        for (const [query, variables] of [
          [LIST, {}],
          [CREATE, { input: { content: "written without a valid token" } }],
          [UPDATE, { input: { id: victimNote.id, content: "changed without a valid token" } }],
          [DELETE, { id: victimNote.id }],
        ] as const) {
          const response = await send(query, variables);
          expectError(response, "UNAUTHENTICATED");
          expect(response.body.data).toBeNull();
        }
        expect(await allNotes(victim)).toEqual([victimNote]);
      });

      it("answers with a stable UNAUTHENTICATED error", async () => {
        const response = await gql(LIST, { first: 1 });
        expect({ status: response.status, body: response.body }).toMatchInlineSnapshot(`
        {
          "body": {
            "data": null,
            "errors": [
              {
                "extensions": {
                  "code": "UNAUTHENTICATED",
                },
                "locations": [
                  {
                    "column": 3,
                    "line": 2,
                  },
                ],
                "message": "A valid bearer token is required.",
                "path": [
                  "notes",
                ],
              },
            ],
          },
          "status": 200,
        }
      `);
      });
    });
  });

  describe("notes", () => {
    it("create, read, list, update and delete round trip", async () => {
      const user = await newUser();
      const created = await createNote(user, { content: "Hello, notes" });
      expect(created).toMatchObject({ content: "Hello, notes", attachment: null, version: 1 });
      expect(created.id).toMatch(ULID);
      expect(created.createdAt).toMatch(ISO_UTC);
      expect(created.updatedAt).toBe(created.createdAt);
      expect(normalized(created)).toMatchInlineSnapshot(`
      {
        "attachment": null,
        "content": "Hello, notes",
        "createdAt": "<DateTime>",
        "id": "<ULID>",
        "updatedAt": "<DateTime>",
        "version": 1,
      }
    `);

      expect(await readNote(user, created.id)).toEqual(created);
      const list = expectData(await gql(LIST, {}, { token: user.token })).notes;
      expect(list.edges.map((edge: { node: Note }) => edge.node)).toEqual([created]);
      expect(list.pageInfo).toEqual({ hasNextPage: false, endCursor: list.edges[0].cursor });

      const updated = expectData(
        await gql(UPDATE, { input: { id: created.id, content: "Hello again" } }, { token: user.token }),
      ).updateNote as Note;
      expect(updated).toMatchObject({ id: created.id, content: "Hello again", attachment: null, version: 2 });
      expect(updated.createdAt).toBe(created.createdAt);
      expect(Date.parse(updated.updatedAt)).toBeGreaterThanOrEqual(Date.parse(created.updatedAt));
      expect(await readNote(user, created.id)).toEqual(updated);

      const deleted = expectData(await gql(DELETE, { id: created.id }, { token: user.token })).deleteNote;
      expect(deleted).toEqual(updated);
      expect(await readNote(user, created.id)).toBeNull();
      expect(await allNotes(user)).toEqual([]);
      expectError(await gql(DELETE, { id: created.id }, { token: user.token }), "NOT_FOUND");
    });

    it("note(id) is null for a missing id and for a string that is not an id", async () => {
      const user = await newUser();
      expect(await readNote(user, MISSING_ID)).toBeNull();
      expect(await readNote(user, "not-an-id")).toBeNull();
    });

    it("updateNote changes only the fields given", async () => {
      const user = await newUser();
      const note = await createNote(user, { content: "first" });
      const update = async (input: Record<string, unknown>) =>
        expectData(await gql(UPDATE, { input: { id: note.id, ...input } }, { token: user.token }))
          .updateNote as Note;

      expect(await update({ content: "second" })).toMatchObject({ content: "second", attachment: null, version: 2 });
      expect(await update({ content: "third" })).toMatchObject({ content: "third", attachment: null, version: 3 });
      expect(await update({ attachmentUploadId: null })).toMatchObject({ content: "third", attachment: null, version: 4 });
      expect(await readNote(user, note.id)).toMatchObject({ content: "third", attachment: null, version: 4 });

      const nothing = await gql(UPDATE, { input: { id: note.id } }, { token: user.token });
      expectError(nothing, "BAD_USER_INPUT");
      expect((await readNote(user, note.id))!.version).toBe(4);
    });

    it("updateNote with a matching expectedVersion applies; a stale one is a CONFLICT that writes nothing", async () => {
      const user = await newUser();
      const note = await createNote(user, { content: "v1" });
      const v2 = expectData(
        await gql(UPDATE, { input: { id: note.id, content: "v2", expectedVersion: 1 } }, { token: user.token }),
      ).updateNote as Note;
      expect(v2).toMatchObject({ content: "v2", version: 2 });

      const stale = await gql(
        UPDATE,
        { input: { id: note.id, content: "lost update", expectedVersion: 1 } },
        { token: user.token },
      );
      expectError(stale, "CONFLICT");
      expect({ status: stale.status, body: normalized(stale.body) }).toMatchInlineSnapshot(`
      {
        "body": {
          "data": null,
          "errors": [
            {
              "extensions": {
                "code": "CONFLICT",
                "currentVersion": 2,
              },
              "locations": [
                {
                  "column": 45,
                  "line": 1,
                },
              ],
              "message": "Note was changed since version 1; it is at version 2.",
              "path": [
                "updateNote",
              ],
            },
          ],
        },
        "status": 200,
      }
    `);
      expect(await readNote(user, note.id)).toEqual(v2);

      const missing = await gql(
        UPDATE,
        { input: { id: MISSING_ID, content: "x", expectedVersion: 1 } },
        { token: user.token },
      );
      expectError(missing, "NOT_FOUND");
    });
  });

  describe("validation writes nothing", () => {
    const LIMIT = 50_000;

    it("accepts content of exactly 50,000 characters", async () => {
      const user = await newUser();
      const note = await createNote(user, { content: "x".repeat(LIMIT) });
      expect(note.content).toHaveLength(LIMIT);
      expect((await readNote(user, note.id))!.content).toHaveLength(LIMIT);
    });

    it.each([
      ["content of 50,001 characters", { content: "x".repeat(LIMIT + 1) }],
      ["empty content", { content: "" }],
      ["whitespace-only content", { content: " \n\t\u00a0 " }],
      ["an attachmentUploadId no upload has", { content: "ok", attachmentUploadId: MISSING_ID }],
    ])("createNote refuses %s", async (_label, input) => {
      const user = await newUser();
      const error = expectError(await gql(CREATE, { input }, { token: user.token }), "BAD_USER_INPUT");
      expect(error.message).not.toMatch(/unexpected/i);
      expect(await allNotes(user)).toEqual([]);
    });

    it.each([
      ["content of 50,001 characters", { content: "x".repeat(LIMIT + 1) }],
      ["whitespace-only content", { content: "   " }],
      ["an attachmentUploadId that is not an upload id", { attachmentUploadId: "../../etc/x" }],
      ["content of only U+0085 (NEL) and other Unicode spaces", { content: "\u0085\u3000\u0085 " }],
    ])("updateNote refuses %s", async (_label, input) => {
      const user = await newUser();
      const note = await createNote(user, { content: "original" });
      expectError(await gql(UPDATE, { input: { id: note.id, ...input } }, { token: user.token }), "BAD_USER_INPUT");
      expect(await readNote(user, note.id)).toEqual(note);
    });

    it.each([0, -1])("answers expectedVersion %i, never a stored version, with CONFLICT and writes nothing", async (expectedVersion) => {
      const user = await newUser();
      const note = await createNote(user, { content: "original" });
      const error = expectError(
        await gql(UPDATE, { input: { id: note.id, content: "ok", expectedVersion } }, { token: user.token }),
        "CONFLICT",
      );
      expect(error.extensions).toMatchObject({ currentVersion: 1 });
      expect(await readNote(user, note.id)).toEqual(note);
    });

    it("names the field in a BAD_USER_INPUT error", async () => {
      const user = await newUser();
      const response = await gql(CREATE, { input: { content: "   " } }, { token: user.token });
      expect({ status: response.status, body: response.body }).toMatchInlineSnapshot(`
      {
        "body": {
          "data": null,
          "errors": [
            {
              "extensions": {
                "code": "BAD_USER_INPUT",
                "field": "content",
              },
              "locations": [
                {
                  "column": 45,
                  "line": 1,
                },
              ],
              "message": ""content" must not be empty or only whitespace.",
              "path": [
                "createNote",
              ],
            },
          ],
        },
        "status": 200,
      }
    `);
    });

    it.each([0, 101, -1])("notes(first: %i) is BAD_USER_INPUT", async (first) => {
      const user = await newUser();
      expectError(await gql(LIST, { first }, { token: user.token }), "BAD_USER_INPUT");
    });

    it.each([1, 100])("notes(first: %i) is accepted", async (first) => {
      const user = await newUser();
      await createNote(user, { content: "one" });
      expect(expectData(await gql(LIST, { first }, { token: user.token })).notes.edges).toHaveLength(1);
    });
  });

  describe("paging", () => {
    it("visits each of 25 notes exactly once, newest first, 10 at a time", async () => {
      const user = await newUser();
      const created: Note[] = [];
      for (let i = 0; i < 25; i++) created.push(await createNote(user, { content: `note ${i}` }));

      const pages: { ids: string[]; hasNextPage: boolean }[] = [];
      let after: string | null = null;
      do {
        const { notes } = expectData(await gql(LIST, { first: 10, after }, { token: user.token }));
        const ids = notes.edges.map((edge: { node: Note }) => edge.node.id);
        pages.push({ ids, hasNextPage: notes.pageInfo.hasNextPage });
        expect(notes.pageInfo.endCursor).toBe(notes.edges.at(-1).cursor);
        after = notes.pageInfo.hasNextPage ? notes.pageInfo.endCursor : null;
      } while (after && pages.length < 10);

      expect(pages.map((page) => [page.ids.length, page.hasNextPage])).toEqual([
        [10, true],
        [10, true],
        [5, false],
      ]);
      expect(pages.flatMap((page) => page.ids)).toEqual(created.map((note) => note.id).reverse());
    });

    it.each([
      ["garbage", "garbage!"],
      ["empty", ""],
      ["base64 of a non-cursor", Buffer.from("hello world").toString("base64url")],
      ["a cursor prefix without an id", Buffer.from("note:").toString("base64url")],
      ["a cursor with a malformed id", Buffer.from("note:../../etc/passwd").toString("base64url")],
      ["padded base64 of a real shape", Buffer.from(`note:${MISSING_ID}`).toString("base64") + "=="],
      ["an overlong string", "A".repeat(10_000)],
    ])("a %s cursor is BAD_USER_INPUT", async (_label, after) => {
      const user = await newUser();
      expectError(await gql(LIST, { first: 5, after }, { token: user.token }), "BAD_USER_INPUT");
    });
  });

  describe("cross-user isolation", () => {
    let alice: User;
    let bob: User;
    let aliceNote: Note;

    beforeAll(async () => {
      alice = await newUser();
      bob = await newUser();
      aliceNote = await createNote(alice, { content: "alice's secret" });
    });

    it("bob reads null for alice's note, exactly as for a missing one", async () => {
      const his = await gql(READ, { id: aliceNote.id }, { token: bob.token });
      const missing = await gql(READ, { id: MISSING_ID }, { token: bob.token });
      expect(his.body).toEqual({ data: { note: null } });
      expect(his.body).toEqual(missing.body);
    });

    it("bob's list does not contain alice's note", async () => {
      const mine = await createNote(bob, { content: "bob's own" });
      expect(await allNotes(bob)).toEqual([mine]);
    });

    it("bob cannot update or delete alice's note: NOT_FOUND, exactly as for a missing one", async () => {
      for (const [query, variables, missingVariables] of [
        [UPDATE, { input: { id: aliceNote.id, content: "pwned" } }, { input: { id: MISSING_ID, content: "pwned" } }],
        [
          UPDATE,
          { input: { id: aliceNote.id, content: "pwned", expectedVersion: aliceNote.version } },
          { input: { id: MISSING_ID, content: "pwned", expectedVersion: 1 } },
        ],
        [
          UPDATE,
          { input: { id: aliceNote.id, attachmentUploadId: null } },
          { input: { id: MISSING_ID, attachmentUploadId: null } },
        ],
        [DELETE, { id: aliceNote.id }, { id: MISSING_ID }],
      ] as const) {
        const attempt = await gql(query, variables, { token: bob.token });
        expectError(attempt, "NOT_FOUND");
        expect(attempt.body).toEqual((await gql(query, missingVariables, { token: bob.token })).body);
      }
      expect(await readNote(alice, aliceNote.id)).toEqual(aliceNote);
      expect(await allNotes(alice)).toEqual([aliceNote]);
    });

    it("a cursor replayed by another user pages through that user's own notes only", async () => {
      const owner = await newUser();
      const replayer = await newUser();
      const replayerOlder: Note[] = [];
      for (let i = 0; i < 3; i++) replayerOlder.push(await createNote(replayer, { content: `replayer older ${i}` }));
      const ownerNotes: Note[] = [];
      for (let i = 0; i < 5; i++) ownerNotes.push(await createNote(owner, { content: `owner ${i}` }));
      await createNote(replayer, { content: "replayer newer" });

      const { notes } = expectData(await gql(LIST, { first: 2 }, { token: owner.token }));
      expect(notes.pageInfo.hasNextPage).toBe(true);
      const after = notes.pageInfo.endCursor;
      const replay = expectData(await gql(LIST, { first: 100, after }, { token: replayer.token }));
      const seen = replay.notes.edges.map((edge: { node: Note }) => edge.node.id);
      // The cursor only positions within the replayer's partition: his older notes, none of the owner's.
      expect(seen).toEqual(replayerOlder.map((note) => note.id).reverse());
    });

    it("a forged, well-formed cursor reaches only the caller's own notes", async () => {
      const forged = Buffer.from("note:7ZZZZZZZZZZZZZZZZZZZZZZZZZ").toString("base64url");
      const mine = await createNote(bob, { content: "bob again" });
      const { notes } = expectData(await gql(LIST, { first: 100, after: forged }, { token: bob.token }));
      const seen: string[] = notes.edges.map((edge: { node: Note }) => edge.node.id);
      expect(seen).toContain(mine.id);
      expect(seen).not.toContain(aliceNote.id);
      expect(seen).toEqual((await allNotes(bob)).map((note) => note.id));
    });
  });

  describe("Relay: node(id:), nodes(ids:) and PageInfo", () => {
    const NODE = `query Node($id: ID!) { node(id: $id) { __typename id ... on Note { ${NOTE} } } }`;
    const NODES = `query Nodes($ids: [ID!]!) { nodes(ids: $ids) { __typename id ... on Note { content } } }`;

    it("node(id) is the caller's note by its raw ULID, or the caller's User by their sub", async () => {
      const user = await newUser();
      const note = await createNote(user, { content: "by node" });
      expect(expectData(await gql(NODE, { id: note.id }, { token: user.token })).node).toEqual({ __typename: "Note", ...note });
      expect(expectData(await gql(NODE, { id: user.id }, { token: user.token })).node).toEqual({ __typename: "User", id: user.id });
    });

    it("node(id) is null for a missing id, another user's note, another user's sub and a non-id, exactly as note(id)", async () => {
      const alice = await newUser();
      const bob = await newUser();
      const aliceNote = await createNote(alice, { content: "alice only" });
      const answers = [];
      for (const id of [aliceNote.id, MISSING_ID, alice.id, "not an id", ""]) {
        const response = await gql(NODE, { id }, { token: bob.token });
        answers.push(response.body);
      }
      expect(answers).toEqual(Array(5).fill({ data: { node: null } }));
    });

    it("nodes(ids) keeps the order given, with null for missing and foreign ids and repeats kept", async () => {
      const alice = await newUser();
      const bob = await newUser();
      const [first, second] = [await createNote(bob, { content: "one" }), await createNote(bob, { content: "two" })];
      const foreign = await createNote(alice, { content: "alice's" });
      const ids = [second.id, MISSING_ID, bob.id, foreign.id, first.id, second.id, alice.id];
      expect(expectData(await gql(NODES, { ids }, { token: bob.token })).nodes).toEqual([
        { __typename: "Note", id: second.id, content: "two" },
        null,
        { __typename: "User", id: bob.id },
        null,
        { __typename: "Note", id: first.id, content: "one" },
        { __typename: "Note", id: second.id, content: "two" },
        null,
      ]);
    });

    it("nodes(ids) serves 100 ids and refuses 101 with BAD_USER_INPUT", async () => {
      const user = await newUser();
      const note = await createNote(user, { content: "hundred" });
      const hundred = Array.from({ length: 100 }, (_, i) => (i % 2 ? note.id : MISSING_ID));
      const nodes = expectData(await gql(NODES, { ids: hundred }, { token: user.token })).nodes;
      expect(nodes).toHaveLength(100);
      expect(nodes.filter(Boolean)).toHaveLength(50);
      const error = expectError(await gql(NODES, { ids: [...hundred, note.id] }, { token: user.token }), "BAD_USER_INPUT");
      expect(error.extensions?.field).toBe("ids");
    });

    // Through @pothos/plugin-relay's request cache, which the patch in patches/ makes hand out typed objects.
    // The AWS calls are observed in this process.
    it.runIf(inProcessOnly)("node and nodes look each note id up once per request, however often the request names it", async () => {
      const user = await newUser();
      const note = await createNote(user, { content: "named thrice" });
      const query = `query($n: ID!, $m: ID!, $me: ID!) {
      a: node(id: $n) { id } b: node(id: $n) { id } c: node(id: $me) { id } d: node(id: $me) { id }
      nodes(ids: [$n, $m, $n, "x", $m, $me]) { id } }`;
      const calls: AwsCall[] = [];
      observeAwsCalls((call) => calls.push(call));
      let data;
      try {
        data = expectData(await gql(query, { n: note.id, m: MISSING_ID, me: user.id }, { token: user.token }));
      } finally {
        observeAwsCalls(recordAwsCall);
      }
      expect(data).toEqual({
        a: { id: note.id },
        b: { id: note.id },
        c: { id: user.id },
        d: { id: user.id },
        nodes: [{ id: note.id }, null, { id: note.id }, null, null, { id: user.id }],
      });
      // The note and the missing id, once each; "x" is no note id and the caller's sub is no lookup.
      expect(calls.map((call) => call.operation)).toEqual(["GetItem", "GetItem"]);
    });

    it("node and nodes need a token, like note", async () => {
      expectError(await gql(NODE, { id: MISSING_ID }), "UNAUTHENTICATED");
      expectError(await gql(NODES, { ids: [MISSING_ID] }), "UNAUTHENTICATED");
    });

    it("PageInfo has startCursor and endCursor of the page, hasPreviousPage false when paging forward", async () => {
      const user = await newUser();
      for (let i = 0; i < 3; i++) await createNote(user, { content: `page ${i}` });
      const query = `query($after: String) { notes(first: 2, after: $after) {
      edges { cursor } pageInfo { hasNextPage hasPreviousPage startCursor endCursor } } }`;
      const first = expectData(await gql(query, {}, { token: user.token })).notes;
      expect(first.pageInfo).toEqual({
        hasNextPage: true,
        hasPreviousPage: false,
        startCursor: first.edges[0].cursor,
        endCursor: first.edges[1].cursor,
      });
      const last = expectData(await gql(query, { after: first.pageInfo.endCursor }, { token: user.token })).notes;
      expect(last.pageInfo).toEqual({
        hasNextPage: false,
        hasPreviousPage: false,
        startCursor: last.edges[0].cursor,
        endCursor: last.edges[0].cursor,
      });
      const empty = expectData(await gql(query, {}, { token: (await newUser()).token })).notes;
      expect(empty.pageInfo).toEqual({ hasNextPage: false, hasPreviousPage: false, startCursor: null, endCursor: null });
    });
  });

  // The database is pointed elsewhere in this process; the function's workers keep their own.
  describe.runIf(inProcessOnly)("unexpected failures are masked and logged", () => {
    /** Points the dynamo module at a port nothing listens on; the caller restores it. */
    function breakDatabase() {
      const deadPort = "http://127.0.0.1:1";
      configureDynamo({ tableName: db.tableName, endpoint: deadPort, maxAttempts: 1, connectionTimeoutMs: 500 });
    }

    it.each([
      ["notes", LIST, {}],
      ["createNote", CREATE, { input: { content: "while the database is down" } }],
    ])("%s with the database unreachable", async (_label, query, variables) => {
      const user = await newUser();
      const requestId = `req-${randomUUID()}`;
      const lines: string[] = [];
      const restore = captureLogs((line) => lines.push(line), "DEBUG");
      breakDatabase();
      let response: GraphQLResponse;
      try {
        response = await gql(query, variables, { token: user.token, requestId });
      } finally {
        configureDynamo(embeddedDynamoSettings(db, db.tableName));
        restore();
      }

      const error = expectErrorAllowing5xx(response, "INTERNAL_SERVER_ERROR");
      expect(error.message).toBe("Unexpected error.");
      expect(Object.keys(error.extensions!)).toEqual(["code"]);
      expect(response.text).not.toMatch(/stack|node_modules|file:|\/work\/|\.ts\b|\.js\b|:\d+:\d+/i);
      expect(response.text).not.toMatch(/ECONNREFUSED|127\.0\.0\.1|aws-sdk|smithy|dynamo|dynalite|yoga|pothos|jose/i);

      const logged = lines.map((line) => JSON.parse(line)).find((entry) => entry.level === "ERROR");
      expect(logged).toMatchObject({ message: "unexpected error", requestId });
      expect(logged.error.message).toMatch(/ECONNREFUSED/);
      expect(logged.error.stack).toBeTruthy();
      expect(await allNotes(user)).toEqual([]);
    });

    it("masks with a stable shape", async () => {
      const user = await newUser();
      const restore = captureLogs(() => {}, "SILENT");
      breakDatabase();
      try {
        const response = await gql(LIST, { first: 1 }, { token: user.token });
        expect({ status: response.status, body: response.body }).toMatchInlineSnapshot(`
        {
          "body": {
            "data": null,
            "errors": [
              {
                "extensions": {
                  "code": "INTERNAL_SERVER_ERROR",
                },
                "locations": [
                  {
                    "column": 3,
                    "line": 2,
                  },
                ],
                "message": "Unexpected error.",
                "path": [
                  "notes",
                ],
              },
            ],
          },
          "status": 200,
        }
      `);
      } finally {
        configureDynamo(embeddedDynamoSettings(db, db.tableName));
        restore();
      }
    });
  });

  /** Masked failures are not the client's fault, so any status is allowed; the body is checked. */
  function expectErrorAllowing5xx(response: GraphQLResponse, code: string) {
    expect(errorCodes(response.body)).toEqual([code]);
    return response.body.errors![0]!;
  }

  describe("malformed requests are 4xx with yoga's codes", () => {
    it("a parse error is GRAPHQL_PARSE_FAILED", async () => {
      const response = await gql("query { notes(first: ");
      expect({ status: response.status, body: response.body }).toMatchInlineSnapshot(`
      {
        "body": {
          "errors": [
            {
              "extensions": {
                "code": "GRAPHQL_PARSE_FAILED",
              },
              "locations": [
                {
                  "column": 22,
                  "line": 1,
                },
              ],
              "message": "Syntax Error: Unexpected <EOF>.",
            },
          ],
        },
        "status": 400,
      }
    `);
    });

    it.each([
      ["a wrong literal argument type", `{ notes(first: "ten") { pageInfo { hasNextPage } } }`],
      ["an unknown field", "{ me { id secret } }"],
      ["a missing required argument", "{ note { id } }"],
      ["a wrong literal input field type", `mutation { createNote(input: { content: 42 }) { id } }`],
    ])("%s is GRAPHQL_VALIDATION_FAILED", async (_label, query) => {
      const user = await newUser();
      const response = await gql(query, undefined, { token: user.token });
      expectError(response, "GRAPHQL_VALIDATION_FAILED");
      expect(response.body.data).toBeUndefined();
      expect(await allNotes(user)).toEqual([]);
    });

    const wrongVariables: [string, string, Record<string, unknown>][] = [
      ["a string for Int", LIST, { first: "ten" }],
      ["an object for ID!", READ, { id: { nested: true } }],
      ["a missing required variable", READ, {}],
      ["a number for content", CREATE, { input: { content: 42 } }],
      ["an unknown input field", CREATE, { input: { content: "x", owner: "someone-else" } }],
    ];

    it.each(wrongVariables)("%s in variables is GRAPHQL_VALIDATION_FAILED, a 400 without data", async (_label, query, variables) => {
      const user = await newUser();
      const response = await gql(query, variables, { token: user.token });
      expectError(response, "GRAPHQL_VALIDATION_FAILED");
      expect(response.status).toBe(400);
      expect(response.body.data).toBeUndefined();
      expect(response.body.errors![0]!.message).toMatch(/^Variable "\$\w+"/);
      expect(await allNotes(user)).toEqual([]);
    });
  });

  // Each case builds its own in-process yoga against a broken key source.
  describe.runIf(inProcessOnly)("the user pool's keys out of reach", () => {
    it("answers a masked INTERNAL_SERVER_ERROR, logs the outage with the request id, and keeps serving", async () => {
      const lines: Record<string, unknown>[] = [];
      const restore = captureLogs((line) => lines.push(JSON.parse(line)), "INFO");
      const gone = await createTestIssuer();
      const token = await gone.token("someone");
      await gone.close();
      try {
        const outage = graphqlClient(GRAPHQL_URL, inProcess(createTestYoga(gone)));
        const response = await outage("{ me { id } }", undefined, { token, requestId: "req-jwks-down" });
        expect(response.status).toBeLessThan(600);
        expect(response.body.data ?? undefined).toBeUndefined();
        expect(response.body.errors).toEqual([{ message: "Unexpected error.", extensions: { code: "INTERNAL_SERVER_ERROR" } }]);
        expect(response.text).not.toMatch(/jwks|ECONNREFUSED|fetch failed/i);
        expect(lines).toContainEqual(expect.objectContaining({ message: "token verification unavailable", level: "ERROR", requestId: "req-jwks-down" }));
        // Without a token nothing needs the keys: the API still answers.
        expect((await outage("{ me { id } }")).body).toEqual({ data: { me: null } });
      } finally {
        restore();
      }
    });
    it.each([
      ["a 503", 503, "{}"],
      ["a body that is not JSON", 200, "<html>"],
    ])("treats a key endpoint answering %s as an outage, not as a bad token (the web app would sign the user out)", async (_label, status, body) => {
      const lines: Record<string, unknown>[] = [];
      const restore = captureLogs((line) => lines.push(JSON.parse(line)), "INFO");
      const pool = await createTestIssuer();
      const token = await pool.token("someone");
      const sick = createServer((_req, res) => res.writeHead(status, { "content-type": "application/json" }).end(body));
      await new Promise<void>((resolve) => sick.listen(0, "127.0.0.1", resolve));
      try {
        const jwksUrl = `http://127.0.0.1:${(sick.address() as AddressInfo).port}/jwks.json`;
        const outage = graphqlClient(GRAPHQL_URL, inProcess(createTestYoga({ ...pool, settings: { ...pool.settings, jwksUrl } })));
        const response = await outage("{ me { id } }", undefined, { token, requestId: "req-jwks-sick" });
        expect(response.body.errors).toEqual([{ message: "Unexpected error.", extensions: { code: "INTERNAL_SERVER_ERROR" } }]);
        expect(lines).toContainEqual(expect.objectContaining({ message: "token verification unavailable", requestId: "req-jwks-sick" }));
      } finally {
        restore();
        sick.closeAllConnections();
        await new Promise((resolve) => sick.close(resolve));
        await pool.close();
      }
    });
  });

  describe("subscriptions over HTTP", () => {
    it("answer a clear BAD_REQUEST error saying to use WebSocket, not a stream, a hang or a 500", async () => {
      const user = await issuer.token("http-subscriber");
      const response = await gql("subscription Events { noteEvents { type id version } }", undefined, { token: user });
      expect(response.status).toBe(200);
      expect(response.body.data).toBeUndefined();
      expect(errorCodes(response.body)).toEqual(["BAD_REQUEST"]);
      expect(response.body.errors![0]!.message).toMatch(/WebSocket \(graphql-transport-ws/);
    });
  });
}
