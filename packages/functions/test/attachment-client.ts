import { expect } from "vitest";
import { graphqlClient, type GraphQLResponse } from "./graphql-client.ts";
import { expectData } from "./hardening/local-api.ts";

/**
 * What the attachment suites share beyond the local server (hardening/local-api.ts): GraphQL as
 * the holder of a token with the tests' one client, and the browser's upload steps.
 */
export type GraphQLResult = GraphQLResponse;

/** A POST through the tests' one GraphQL client, as the holder of `token`. */
export function graphql(url: string, token: string | undefined, query: string, variables: Record<string, unknown> = {}) {
  return graphqlClient(url)(query, variables, { token });
}

export const CREATE_UPLOAD = `mutation Upload($input: CreateAttachmentUploadInput!) {
  createAttachmentUpload(input: $input) { id url fields { name value } expiresAt }
}`;

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
