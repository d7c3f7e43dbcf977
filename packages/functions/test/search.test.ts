import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { useEmbeddedTable } from "../../core/test/embedded-table.ts";
import { captureLogs } from "../src/log.ts";
import { graphql, uploadFile } from "./attachment-client.ts";
import { errorCodes, graphqlClient, inProcess } from "./graphql-client.ts";
import { CREATE as CREATE_NOTE, UPDATE as UPDATE_NOTE, expectData, startLocalApi, type LocalApi } from "./hardening/local-api.ts";
import { GRAPHQL_URL, createTestYoga } from "./harness.ts";
import { createTestIssuer, type TestIssuer } from "./test-issuer.ts";

/** notes(search:) through GraphQL: in-process yoga on dynalite, and file names on the local server. */
const SEARCH = `query Search($search: String, $first: Int, $after: String) {
  notes(search: $search, first: $first, after: $after) {
    edges { cursor node { id content } }
    pageInfo { hasNextPage startCursor endCursor }
  }
}`;
const CREATE = `mutation Create($content: String!) { createNote(input: { content: $content }) { id } }`;

describe("notes(search:) in-process", () => {
  let db: Awaited<ReturnType<typeof useEmbeddedTable>>;
  let issuer: TestIssuer;
  let gql: ReturnType<typeof graphqlClient>;
  let restoreLogs: () => void;
  beforeAll(async () => {
    restoreLogs = captureLogs(() => {}, "SILENT");
    db = await useEmbeddedTable();
    issuer = await createTestIssuer();
    gql = graphqlClient(GRAPHQL_URL, inProcess(createTestYoga(issuer)));
  });
  afterAll(async () => {
    await db?.close();
    await issuer?.close();
    restoreLogs?.();
  });

  async function userWith(contents: string[]): Promise<string> {
    const token = await issuer.token(`user-${randomUUID()}`);
    for (const content of contents) {
      const { body } = await gql(CREATE, { content }, { token });
      expect(body.errors).toBeUndefined();
    }
    return token;
  }

  it("returns matches newest first in full pages whose cursors continue the same search", async () => {
    const token = await userWith(["Trip to Zürich in 2027", "zurich notes", "Basel", "ZÜRICH 2027 budget"]);
    const first = await gql(SEARCH, { search: "zur 2027", first: 1 }, { token });
    expect(first.status).toBe(200);
    const page = first.body.data.notes;
    expect(page.edges.map((edge: any) => edge.node.content)).toEqual(["ZÜRICH 2027 budget"]);
    expect(page.pageInfo).toMatchObject({ hasNextPage: true, startCursor: page.edges[0].cursor, endCursor: page.edges[0].cursor });
    const second = await gql(SEARCH, { search: "2027 ZUR", first: 5, after: page.pageInfo.endCursor }, { token });
    expect(second.body.data.notes.edges.map((edge: any) => edge.node.content)).toEqual(["Trip to Zürich in 2027"]);
    expect(second.body.data.notes.pageInfo.hasNextPage).toBe(false);
    const all = await gql(SEARCH, { first: 10 }, { token });
    expect(all.body.data.notes.edges).toHaveLength(4);
  });

  it.each([
    ["an empty search", { search: "" }, "search"],
    ["a search of punctuation only", { search: "?!" }, "search"],
    ["a 201-character search", { search: "x".repeat(201) }, "search"],
    ["a cursor of another search", { search: "other", after: "CURSOR" }, "after"],
    ["a search cursor without a search", { after: "CURSOR" }, "after"],
  ])("refuses %s with BAD_USER_INPUT", async (_, variables, field) => {
    const token = await userWith(["zurich one", "zurich two"]);
    const cursor = (await gql(SEARCH, { search: "zurich", first: 1 }, { token })).body.data.notes.pageInfo.endCursor;
    const given = { ...variables, after: "after" in variables ? cursor : undefined };
    const { status, body } = await gql(SEARCH, given, { token });
    expect(status).toBeLessThan(500);
    expect(errorCodes(body)).toEqual(["BAD_USER_INPUT"]);
    expect(body.errors![0]!.extensions?.field).toBe(field);
    expect(body.data).toBeNull();
  });

  it("needs a token, and never shows another user's matches", async () => {
    const anonymous = await gql(SEARCH, { search: "zurich" });
    expect(errorCodes(anonymous.body)).toEqual(["UNAUTHENTICATED"]);
    await userWith(["private zurich"]);
    const other = await userWith(["mine"]);
    const { body } = await gql(SEARCH, { search: "private zurich" }, { token: other });
    expect(body.data.notes).toEqual({ edges: [], pageInfo: { hasNextPage: false, startCursor: null, endCursor: null } });
  });
});

describe("notes(search:) on the local server", () => {
  let api: LocalApi;
  beforeAll(async () => {
    api = await startLocalApi();
  });
  afterAll(async () => {
    await api?.close();
  });

  const contents = async (token: string, search: string): Promise<string[]> =>
    expectData(await graphql(api.url, token, SEARCH, { search })).notes.edges.map((edge: any) => edge.node.content);

  it("matches the attachment's file name, and follows it when the file is replaced or removed", async () => {
    const token = await api.token(`search-${randomUUID().slice(0, 8)}`);
    const file = (fileName: string) => ({ fileName, contentType: "application/pdf", bytes: Buffer.from("%PDF-1.4") });
    const attachmentUploadId = await uploadFile(api.url, token, file("Quarterly-Report_Zürich.pdf"));
    const note = expectData(await graphql(api.url, token, CREATE_NOTE, { input: { content: "see file", attachmentUploadId } })).createNote;
    expect(await contents(token, "quarter zur")).toEqual(["see file"]);
    expect(await contents(token, "see pdf")).toEqual(["see file"]);

    const replacement = await uploadFile(api.url, token, file("minutes.pdf"));
    expectData(await graphql(api.url, token, UPDATE_NOTE, { input: { id: note.id, attachmentUploadId: replacement } }));
    expect(await contents(token, "quarterly")).toEqual([]);
    expect(await contents(token, "minutes")).toEqual(["see file"]);

    expectData(await graphql(api.url, token, UPDATE_NOTE, { input: { id: note.id, attachmentUploadId: null } }));
    expect(await contents(token, "minutes")).toEqual([]);
    expect(await contents(token, "see")).toEqual(["see file"]);
  });
});
