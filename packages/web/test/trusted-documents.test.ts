import { createHash } from "node:crypto";
import { readFile } from "node:fs/promises";
import { buildSchema, parse, validate } from "graphql";
import { stringifyDocument } from "urql";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { printSchemaSDL } from "@notes/functions/graphql/schema";
import { createNotesYoga, type NotesYoga } from "@notes/functions/graphql/yoga";
import { createTokenVerifier } from "@notes/functions/auth";
import { captureLogs } from "@notes/functions/log";
import { useEmbeddedTable } from "../../core/test/embedded-table.ts";
import { createTestIssuer, type TestIssuer } from "../../functions/test/test-issuer.ts";
import { GENERATED_MANIFEST, mergedManifest, TRUSTED_MANIFEST } from "../scripts/trust-documents.ts";
import { createApiClient } from "../src/api.ts";
import {
  CreateNoteMutation,
  DeleteNoteMutation,
  MeQuery,
  NoteQuery,
  NotesPageQuery,
  UpdateNoteMutation,
} from "../src/operations.ts";

// Trusted documents: the manifest the Lambda bundles, and what the web app actually sends.

const readJson = async (path: string) => JSON.parse(await readFile(path, "utf8")) as Record<string, string>;
const sha256 = (text: string) => createHash("sha256").update(text).digest("hex");

describe("the trusted-documents manifest (packages/functions/src/graphql/trusted-documents.json)", () => {
  it("holds every operation the web app sends, under its SHA-256: stale means run npm run codegen", async () => {
    const current = await readJson(GENERATED_MANIFEST);
    const trusted = await readJson(TRUSTED_MANIFEST);
    expect(Object.keys(current).length).toBeGreaterThan(0);
    for (const [hash, document] of Object.entries(current)) {
      expect(trusted[hash], `${hash} is missing from trusted-documents.json: run npm run codegen`).toBe(document);
    }
  });

  it("keys every document by the SHA-256 of its text", async () => {
    for (const [hash, document] of Object.entries(await readJson(TRUSTED_MANIFEST))) expect(hash).toBe(sha256(document));
  });

  it("keeps every document it ever held valid against the schema, so an old web app keeps working", async () => {
    const schema = buildSchema(printSchemaSDL());
    const problems = Object.entries(await readJson(TRUSTED_MANIFEST)).flatMap(([hash, document]) =>
      validate(schema, parse(document)).map((error) => `${hash}: ${error.message}`),
    );
    expect(problems).toEqual([]);
  });

  it("is merged append-only: earlier hashes stay, a changed document under a known hash is refused", () => {
    const merged = mergedManifest({ old: "query Old { me { id } }" }, { new: "query New { me { id } }" });
    expect(merged).toEqual({ old: "query Old { me { id } }", new: "query New { me { id } }" });
    expect(() => mergedManifest({ same: "query A { me { id } }" }, { same: "query B { me { id } }" })).toThrow(/another document/);
  });
});

describe("the web app's client under TRUSTED_DOCUMENTS_ONLY", () => {
  let table: Awaited<ReturnType<typeof useEmbeddedTable>>;
  let issuer: TestIssuer;
  let trustedOnly: NotesYoga;
  let open: NotesYoga;
  let token: string;
  let restoreLogs: () => void;

  beforeAll(async () => {
    restoreLogs = captureLogs(() => {}, "SILENT");
    table = await useEmbeddedTable();
    issuer = await createTestIssuer();
    const verifyAuthorization = createTokenVerifier(issuer.settings);
    trustedOnly = createNotesYoga({ verifyAuthorization, trustedDocumentsOnly: true });
    open = createNotesYoga({ verifyAuthorization });
    token = await issuer.token("trusted");
  });

  afterAll(async () => {
    restoreLogs?.();
    await table?.close();
    await issuer?.close();
  });

  const post = (yoga: NotesYoga, body: unknown) =>
    yoga.fetch("http://localhost/graphql", {
      method: "POST",
      headers: { "content-type": "application/json", accept: "application/graphql-response+json", authorization: `Bearer ${token}` },
      body: JSON.stringify(body),
    });

  it("sends only the hash of each operation, never its text, and gets its data", async () => {
    const bodies: Record<string, unknown>[] = [];
    const recording = ((input: RequestInfo | URL, init?: RequestInit) => {
      bodies.push(JSON.parse(String(init?.body)));
      return trustedOnly.fetch(String(input), init ?? {}, {});
    }) as typeof fetch;
    const client = createApiClient("http://localhost/graphql", token, recording);
    const created = await client.mutation(CreateNoteMutation, { input: { content: "hashed" } }).toPromise();
    expect(created.error).toBeUndefined();
    const page = await client.query(NotesPageQuery, { first: 10 }).toPromise();
    expect(page.data?.notes.edges.map((edge) => edge.node.content)).toEqual(["hashed"]);

    const trusted = await readJson(TRUSTED_MANIFEST);
    expect(bodies).toHaveLength(2);
    for (const body of bodies) {
      expect(body.query).toBeUndefined();
      const hash = (body.extensions as { persistedQuery: { sha256Hash: string } }).persistedQuery.sha256Hash;
      expect(trusted[hash]).toBeDefined();
    }
  });

  it("refuses a query text with 403 PERSISTED_QUERY_ONLY and an unknown hash with 400, nothing run", async () => {
    const adHoc = await post(trustedOnly, { query: "{ me { id } }" });
    expect(adHoc.status).toBe(403);
    const adHocBody = await adHoc.json();
    expect(adHocBody.data).toBeUndefined();
    expect(adHocBody.errors).toEqual([
      {
        message:
          "This API runs only trusted documents: send extensions.persistedQuery.sha256Hash of a document in its manifest, not a query.",
        extensions: { code: "PERSISTED_QUERY_ONLY" },
      },
    ]);
    const unknown = await post(trustedOnly, { extensions: { persistedQuery: { version: 1, sha256Hash: sha256("{ me { id } }") } } });
    expect(unknown.status).toBe(400);
    expect((await unknown.json()).errors[0].extensions).toEqual({ code: "PERSISTED_QUERY_NOT_FOUND" });
  });

  it("runs both query texts and hashes where trusted-only is off", async () => {
    const adHoc = await post(open, { query: "{ me { id } }" });
    expect(await adHoc.json()).toEqual({ data: { me: { id: "trusted" } } });
    const hash = (MeQuery as { __meta__?: { hash?: string } }).__meta__!.hash!;
    const byHash = await post(open, { extensions: { persistedQuery: { version: 1, sha256Hash: hash } } });
    expect(await byHash.json()).toEqual({ data: { me: { id: "trusted" } } });
  });

  it("sends fewer bytes than the query text urql would send (printed for the record)", () => {
    const documents = { MeQuery, NotesPageQuery, NoteQuery, CreateNoteMutation, UpdateNoteMutation, DeleteNoteMutation };
    let asText = 0;
    let asHash = 0;
    for (const document of Object.values(documents)) {
      const hash = (document as { __meta__?: { hash?: string } }).__meta__!.hash!;
      asText += JSON.stringify({ query: stringifyDocument(document) }).length;
      asHash += JSON.stringify({ extensions: { persistedQuery: { version: 1, sha256Hash: hash } } }).length;
    }
    console.log(`web app's ${Object.keys(documents).length} operations: ${asText} bytes as query text, ${asHash} as hashes (variables aside)`);
    expect(asHash).toBeLessThan(asText);
  });
});
