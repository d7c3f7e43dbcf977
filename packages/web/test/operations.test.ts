import { Kind, type DocumentNode } from "graphql";
import type { TypedDocumentNode } from "@graphql-typed-document-node/core";
import type { Client } from "urql";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { pendingUploadKey } from "@notes/core/attachment";
import { dynamo } from "@notes/core/dynamo";
import { configureS3 } from "@notes/core/s3-settings";
import type { NotesYoga } from "@notes/functions/graphql/yoga";
import { captureLogs } from "@notes/functions/log";
import { useEmbeddedTable } from "../../core/test/embedded-table.ts";
import { createTestYoga } from "../../functions/test/harness.ts";
import { createTestIssuer, type TestIssuer } from "../../functions/test/test-issuer.ts";
import { createApiClient, describeApiError } from "../src/api.ts";
import * as generated from "../src/gql/graphql.ts";
import {
  CreateAttachmentUploadMutation,
  CreateNoteMutation,
  DeleteNoteMutation,
  MeQuery,
  NoteQuery,
  NotesPageQuery,
  UpdateNoteMutation,
} from "../src/operations.ts";

// The web app's own client and typed documents against the real yoga, in-process, with test-pool access tokens.

const API_URL = "http://localhost/graphql";

let table: Awaited<ReturnType<typeof useEmbeddedTable>>;
let issuer: TestIssuer;
let yoga: NotesYoga;
let alice: Client;
let bob: Client;
let anonymous: Client;
const exercised = new Set<string>();
let restoreLogs: () => void;

function clientFor(token: string | null): Client {
  const inProcess = ((input: RequestInfo | URL, init?: RequestInit) =>
    yoga.fetch(String(input), init ?? {}, {})) as typeof fetch;
  return createApiClient(API_URL, token, inProcess);
}

/** Runs a document through a client and records that the operation was exercised. */
async function run<Data, Variables extends Record<string, unknown>>(
  client: Client,
  document: TypedDocumentNode<Data, Variables>,
  variables: Variables,
) {
  const name = (document as DocumentNode).definitions.find((d) => d.kind === Kind.OPERATION_DEFINITION)?.name?.value;
  if (name) exercised.add(name);
  const isMutation = (document as DocumentNode).definitions.some(
    (d) => d.kind === Kind.OPERATION_DEFINITION && d.operation === "mutation",
  );
  const result = await (isMutation ? client.mutation(document, variables) : client.query(document, variables)).toPromise();
  return { data: result.data, problem: result.error ? describeApiError(result.error) : null };
}

beforeAll(async () => {
  restoreLogs = captureLogs(() => {}, "SILENT");
  table = await useEmbeddedTable();
  issuer = await createTestIssuer();
  // Presigning is local arithmetic: no S3 is reached by the operations exercised here.
  configureS3({ bucketName: "notes-attachments", endpoint: "http://localhost/s3" });
  // Trusted documents only: the app must work sending nothing but its operations' hashes.
  yoga = createTestYoga(issuer, { trustedDocumentsOnly: true });
  alice = clientFor(await issuer.token("alice"));
  bob = clientFor(await issuer.token("bob"));
  anonymous = clientFor(null);
});

afterAll(async () => {
  restoreLogs?.();
  await table?.close();
  await issuer?.close();
});

describe("the web app's typed operations against the real API", () => {
  it("Me names the caller, and is null without a token", async () => {
    expect(await run(alice, MeQuery, {})).toEqual({ data: { me: { id: "alice" } }, problem: null });
    expect(await run(anonymous, MeQuery, {})).toEqual({ data: { me: null }, problem: null });
  });

  it("CreateNote, NotesPage (two pages), Note, UpdateNote with a conflict, DeleteNote", async () => {
    const created = [];
    for (const content of ["first", "second", "third"]) {
      const { data, problem } = await run(alice, CreateNoteMutation, { input: { content, attachmentUploadId: null } });
      expect(problem).toBeNull();
      expect(data!.createNote).toMatchObject({ content, attachment: null, version: 1 });
      expect(data!.createNote.createdAt).toBe(data!.createNote.updatedAt);
      created.push(data!.createNote);
    }

    const firstPage = await run(alice, NotesPageQuery, { first: 2, after: null });
    expect(firstPage.data!.notes.edges.map((e) => e.node.content)).toEqual(["third", "second"]);
    expect(firstPage.data!.notes.pageInfo.hasNextPage).toBe(true);
    const secondPage = await run(alice, NotesPageQuery, { first: 2, after: firstPage.data!.notes.pageInfo.endCursor });
    expect(secondPage.data!.notes.edges.map((e) => e.node)).toEqual([created[0]]);
    expect(secondPage.data!.notes.pageInfo.hasNextPage).toBe(false);

    const target = created[1]!;
    expect((await run(alice, NoteQuery, { id: target.id })).data).toEqual({ note: target });
    expect((await run(bob, NoteQuery, { id: target.id })).data).toEqual({ note: null });

    const saved = await run(alice, UpdateNoteMutation, {
      input: { id: target.id, content: "second, edited", attachmentUploadId: null, expectedVersion: 1 },
    });
    expect(saved.data!.updateNote).toMatchObject({ content: "second, edited", attachment: null, version: 2 });

    // What the app shows a second tab that still holds version 1.
    const stale = await run(alice, UpdateNoteMutation, {
      input: { id: target.id, content: "lost?", expectedVersion: 1 },
    });
    expect(stale.data).toBeFalsy();
    expect(stale.problem).toMatchObject({ code: "CONFLICT", currentVersion: 2 });
    expect(stale.problem!.message).toContain("your changes were not saved");
    expect((await run(alice, NoteQuery, { id: target.id })).data!.note!.content).toBe("second, edited");

    expect((await run(bob, DeleteNoteMutation, { id: target.id })).problem?.code).toBe("NOT_FOUND");
    expect((await run(alice, DeleteNoteMutation, { id: target.id })).data).toEqual({ deleteNote: { id: target.id } });
    expect((await run(alice, NoteQuery, { id: target.id })).data).toEqual({ note: null });
    expect((await run(alice, DeleteNoteMutation, { id: target.id })).problem?.code).toBe("NOT_FOUND");
  });

  it("maps the API's refusals to what the app shows", async () => {
    expect((await run(anonymous, NotesPageQuery, { first: 10, after: null })).problem).toMatchObject({
      code: "UNAUTHENTICATED",
      message: "Your session has ended. Please sign in again.",
    });
    const empty = await run(alice, CreateNoteMutation, { input: { content: "   " } });
    expect(empty.problem?.code).toBe("BAD_USER_INPUT");
    expect(empty.problem?.message).not.toBe("");
    expect((await run(alice, NotesPageQuery, { first: 10, after: "not-a-cursor" })).problem?.code).toBe("BAD_USER_INPUT");
  });

  it("CreateAttachmentUpload, and the app's words for the API's refusals of a file", async () => {
    const input = { fileName: "report.pdf", contentType: "application/pdf", size: 1234 };
    const { data, problem } = await run(alice, CreateAttachmentUploadMutation, { input });
    expect(problem).toBeNull();
    const upload = data!.createAttachmentUpload;
    expect(upload.url).toBe("http://localhost/s3/notes-attachments");
    expect(upload.fields.map((f) => f.name)).toContain("Policy");
    expect(Date.parse(upload.expiresAt)).toBeGreaterThan(Date.now());

    const tooLarge = await run(alice, CreateAttachmentUploadMutation, { input: { ...input, size: 10 * 1024 * 1024 + 1 } });
    expect(tooLarge.problem).toEqual({
      code: "BAD_USER_INPUT",
      field: "size",
      message: "This file is too large: attachments can be at most 10 MB.",
    });

    // Bob cannot attach alice's upload: the API's refusal, in the app's words.
    const stolen = await run(bob, CreateNoteMutation, { input: { content: "x", attachmentUploadId: upload.id } });
    expect(stolen.problem).toMatchObject({ code: "BAD_USER_INPUT", field: "attachmentUploadId" });
    expect(stolen.problem!.message).toBe(
      "The uploaded file could not be attached, so nothing was saved. Choose the file again, then save.",
    );

    await dynamo.update({
      Key: pendingUploadKey(upload.id),
      UpdateExpression: "SET expiresAt = :past",
      ExpressionAttributeValues: { ":past": new Date(Date.now() - 1000).toISOString() },
    });
    const expired = await run(alice, CreateNoteMutation, { input: { content: "x", attachmentUploadId: upload.id } });
    expect(expired.problem).toMatchObject({ code: "BAD_USER_INPUT", field: "attachmentUploadId" });
    expect(expired.problem!.message).toContain("expired before the note was saved");
  });

  it("left no generated query or mutation unexercised (the subscription: live-notes.test.ts)", () => {
    const operations = Object.values(generated)
      .flatMap((value) => (isDocument(value) ? value.definitions : []))
      .flatMap((d) => (d.kind === Kind.OPERATION_DEFINITION && d.name && d.operation !== "subscription" ? [d.name.value] : []));
    expect(operations.length).toBeGreaterThan(0);
    expect([...exercised].sort()).toEqual([...new Set(operations)].sort());
  });
});

function isDocument(value: unknown): value is DocumentNode {
  return typeof value === "object" && value !== null && (value as DocumentNode).kind === Kind.DOCUMENT;
}
