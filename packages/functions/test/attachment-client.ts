import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { expect } from "vitest";
import { localUserToken } from "../src/local/cognito.ts";
import { startLocalServer, type LocalServer, type LocalServerHooks } from "../src/local/server.ts";
import { graphqlClient, type GraphQLResponse } from "./graphql-client.ts";

/**
 * What the attachment suites share: the real local server (dynalite and s3rver on disk, s3rver
 * under /s3 on the same origin, the built function behind the local API Gateway), GraphQL over
 * real HTTP with the tests' one client, and the browser's upload steps.
 */
export interface AttachmentApi {
  url: string;
  dataDir: string;
  /** An access token from the local user pool for `<name>@example.com` (as `npm run token`). */
  token(name: string): Promise<string>;
  /** Stops the server, keeping its data directory. */
  stop(): Promise<void>;
  /** Starts a server again on the same data directory (another port). */
  restart(): Promise<void>;
  close(): Promise<void>;
}

/** `hooks` go to each server started (the function's log lines are dropped unless given). */
export async function startAttachmentApi(hooks: LocalServerHooks = {}): Promise<AttachmentApi> {
  const dataDir = await mkdtemp(join(tmpdir(), "notes-attachments-"));
  const start = () =>
    startLocalServer(
      { dataDir, port: 0, host: "127.0.0.1", tableName: "notes", bucketName: "notes-attachments" },
      { onLambdaLine: () => {}, ...hooks },
    );
  let server: LocalServer | null = await start();
  const api: AttachmentApi = {
    url: server.url,
    dataDir,
    token: (name) => localUserToken(dataDir, name),
    async stop() {
      await server?.close();
      server = null;
    },
    async restart() {
      await api.stop();
      server = await start();
      api.url = server.url;
    },
    async close() {
      await api.stop();
      await rm(dataDir, { recursive: true, force: true });
    },
  };
  return api;
}

export type GraphQLResult = GraphQLResponse;

/** A POST through the tests' one GraphQL client, as the holder of `token`. */
export function graphql(url: string, token: string | undefined, query: string, variables: Record<string, unknown> = {}) {
  return graphqlClient(url)(query, variables, { token });
}

export const ATTACHMENT_FIELDS = "attachment { fileName contentType size url }";
export const NOTE_WITH_FILE = `id content version ${ATTACHMENT_FIELDS}`;
export const CREATE_UPLOAD = `mutation Upload($input: CreateAttachmentUploadInput!) {
  createAttachmentUpload(input: $input) { id url fields { name value } expiresAt }
}`;
export const CREATE_NOTE = `mutation Create($input: CreateNoteInput!) { createNote(input: $input) { ${NOTE_WITH_FILE} } }`;
export const UPDATE_NOTE = `mutation Update($input: UpdateNoteInput!) { updateNote(input: $input) { ${NOTE_WITH_FILE} } }`;
export const DELETE_NOTE = `mutation Delete($id: ID!) { deleteNote(id: $id) { ${NOTE_WITH_FILE} } }`;
export const READ_NOTE = `query Read($id: ID!) { note(id: $id) { ${NOTE_WITH_FILE} } }`;

export interface Upload {
  id: string;
  url: string;
  fields: { name: string; value: string }[];
  expiresAt: string;
}

export interface UploadedFile {
  fileName: string;
  contentType: string;
  size: number;
  url: string;
}

export function expectData(result: GraphQLResult) {
  expect(result.body.errors, JSON.stringify(result.body.errors)).toBeUndefined();
  expect(result.status).toBe(200);
  return result.body.data;
}

/** One error with `code` (and, for input errors, `field`), no data, never a 5xx. */
export function expectError(result: GraphQLResult, code: string, field?: string) {
  expect(result.body.errors?.map((e) => e.extensions?.code), JSON.stringify(result.body)).toEqual([code]);
  expect(result.status).toBeLessThan(500);
  const error = result.body.errors![0]!;
  if (field !== undefined) expect(error.extensions?.field).toBe(field);
  return error;
}

export async function createUpload(
  url: string,
  token: string,
  input: { fileName: string; contentType: string; size: number },
): Promise<Upload> {
  return expectData(await graphql(url, token, CREATE_UPLOAD, { input })).createAttachmentUpload;
}

/** The browser's step: the form fields in order, the file last as "file". */
export async function postFile(upload: Upload, bytes: Buffer, contentType: string): Promise<Response> {
  const form = new FormData();
  for (const { name, value } of upload.fields) form.append(name, value);
  form.append("file", new Blob([new Uint8Array(bytes)], { type: contentType }), "upload.bin");
  return fetch(upload.url, { method: "POST", body: form });
}

/** createAttachmentUpload, then the POST: the upload id, ready to attach. */
export async function uploadFile(
  url: string,
  token: string,
  file: { fileName: string; contentType: string; bytes: Buffer },
): Promise<string> {
  const upload = await createUpload(url, token, { fileName: file.fileName, contentType: file.contentType, size: file.bytes.length });
  const posted = await postFile(upload, file.bytes, file.contentType);
  expect(posted.status, await posted.clone().text()).toBeLessThan(300);
  return upload.id;
}

export async function download(url: string): Promise<{ status: number; bytes: Buffer; headers: Headers }> {
  const response = await fetch(url);
  return { status: response.status, bytes: Buffer.from(await response.arrayBuffer()), headers: response.headers };
}
