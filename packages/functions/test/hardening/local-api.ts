import { request as httpRequest } from "node:http";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Note } from "@notes/core/note";
import { afterAll, beforeAll, expect } from "vitest";
import { captureLogs } from "../../src/log.ts";
import { localUserToken } from "../../src/local/cognito.ts";
import { startLocalServer, type LocalServer, type LocalServerHooks } from "../../src/local/server.ts";
import type { LocalSettings } from "../../src/local/settings.ts";
import { graphqlClient, type RequestOptions } from "../graphql-client.ts";

/**
 * The suites' view of the API: the real local server (node:http → the local API Gateway → the
 * built function in Lambda-like workers → dynalite and s3rver on disk), on 127.0.0.1, over real HTTP.
 */
export interface LocalApi {
  url: string;
  dataDir: string;
  cognito: LocalServer["cognito"];
  /** An access token from the local user pool for `<name>@example.com` (as `npm run token`). */
  token(name: string): Promise<string>;
  /** Stops the server, keeping its data directory. */
  stop(): Promise<void>;
  /** Starts a server again on the same data directory (another port). */
  restart(): Promise<void>;
  close(): Promise<void>;
}

/**
 * `hooks` go to each server started (the function's log lines are dropped unless given);
 * `settings` change the local server's own (e.g. the WebSocket idle timeout).
 */
export async function startLocalApi(
  hooks: LocalServerHooks = {},
  settings: Partial<Pick<LocalSettings, "websocketIdleTimeoutMs">> = {},
): Promise<LocalApi> {
  const dataDir = await mkdtemp(join(tmpdir(), "notes-api-"));
  const start = () =>
    startLocalServer(
      { dataDir, port: 0, host: "127.0.0.1", tableName: "notes", bucketName: "notes-attachments", ...settings },
      { onLambdaLine: () => {}, ...hooks },
    );
  let server: LocalServer | null = await start();
  const api: LocalApi = {
    url: server.url,
    dataDir,
    cognito: server.cognito,
    token: (name) => localUserToken(dataDir, name),
    async stop() {
      await server?.close();
      server = null;
    },
    async restart() {
      await api.stop();
      server = await start();
      api.url = server.url;
      api.cognito = server.cognito;
    },
    async close() {
      await api.stop();
      await rm(dataDir, { recursive: true, force: true });
    },
  };
  return api;
}

/**
 * A suite's shared local server, started before its tests with logging silenced and stopped
 * after them; the returned object is filled in by beforeAll.
 */
export function useLocalApi(): LocalApi {
  const api = {} as LocalApi;
  let restoreLogs: (() => void) | undefined;
  beforeAll(async () => {
    restoreLogs = captureLogs(() => {}, "SILENT");
    Object.assign(api, await startLocalApi());
  });
  afterAll(async () => {
    await api.close?.();
    restoreLogs?.();
  });
  return api;
}

export interface HttpResult {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  text: string;
  /** The parsed body when it is JSON, else undefined. */
  // Shaped by each request's own query, so tests read it field by field.
  json: any;
}

export interface RawRequest {
  method?: string;
  headers?: Record<string, string>;
  /** One buffer is sent with a Content-Length; several go out chunked, without one. */
  body?: string | Buffer | Buffer[];
}

/** One request through node:http, so bodies, framing and bytes are exactly what the test says. */
export function rawRequest(url: string, init: RawRequest = {}): Promise<HttpResult> {
  const target = new URL(url);
  const chunked = Array.isArray(init.body);
  const single = chunked ? undefined : init.body === undefined ? undefined : Buffer.from(init.body as string | Buffer);
  const headers: Record<string, string | number> = { ...init.headers };
  if (single) headers["content-length"] = single.length;
  return new Promise((resolve, reject) => {
    const req = httpRequest(
      { host: target.hostname, port: target.port, path: target.pathname + target.search, method: init.method ?? "POST", headers, agent: false },
      (res) => {
        const chunks: Buffer[] = [];
        res.on("data", (chunk: Buffer) => chunks.push(chunk));
        res.on("error", reject);
        res.on("end", () => {
          const text = Buffer.concat(chunks).toString("utf8");
          let json: unknown;
          try {
            json = JSON.parse(text);
          } catch {
            json = undefined;
          }
          resolve({ status: res.statusCode!, headers: res.headers, text, json });
        });
      },
    );
    req.on("error", reject);
    if (chunked) {
      const parts = init.body as Buffer[];
      let index = 0;
      const writeMore = () => {
        while (index < parts.length) {
          if (!req.write(parts[index++]!)) return void req.once("drain", writeMore);
        }
        req.end();
      };
      writeMore();
    } else req.end(single);
  });
}

/**
 * A chunked POST whose client keeps writing (up to `limit` bytes) whatever the server answers,
 * as a hostile sender would: how much the server took before it answered or hung up.
 */
export function sendUntilRefused(url: string, limit: number): Promise<{ bytes: number; status?: number; error?: string }> {
  const target = new URL(url);
  const chunk = Buffer.alloc(64 * 1024, "a");
  return new Promise((resolve) => {
    let bytes = 0;
    let status: number | undefined;
    const req = httpRequest(
      { host: target.hostname, port: target.port, path: target.pathname, method: "POST", headers: { "content-type": "application/json" }, agent: false },
      (res) => {
        status = res.statusCode;
        res.resume();
      },
    );
    const finish = (error?: string) => resolve({ bytes, status, ...(error && { error }) });
    req.on("error", (error: NodeJS.ErrnoException) => finish(error.code));
    req.on("close", () => finish());
    const writeMore = () => {
      while (bytes < limit && !req.destroyed) {
        bytes += chunk.length;
        if (!req.write(chunk)) return void req.once("drain", writeMore);
      }
      if (!req.destroyed) req.end();
    };
    writeMore();
  });
}

export type GraphQLRequestOptions = Pick<RequestOptions, "token" | "headers" | "operationName">;

/** A GraphQL-over-HTTP POST through the tests' one client (fetch, keep-alive), as an HttpResult. */
export async function postGraphQL(
  url: string,
  query: string,
  variables?: Record<string, unknown>,
  options: GraphQLRequestOptions = {},
): Promise<HttpResult> {
  const { status, headers, text, json } = await graphqlClient(url)(query, variables, options);
  return { status, headers: Object.fromEntries(headers), text, json };
}

/** What no response may ever contain (SPEC "Limits"): stack frames, file paths, dependency names. */
export const LEAK_PATTERNS: RegExp[] = [
  /\bat \S+ \(\S+:\d+:\d+\)/,
  /\\n\s+at \S/,
  /node_modules/i,
  /file:\/\//i,
  /\/(work|home|tmp|usr|var|opt)\//,
  /[\w-]+\.(ts|mjs|cjs)\b/,
  /\b(graphql-yoga|@envelop|@graphql-tools|pothos|dynalite|aws-sdk|smithy|jose|graphql-armor|@escape\.tech|powertools)\b/i,
  /ECONNREFUSED|ETIMEDOUT|ECONNRESET/,
  /\b(TypeError|ReferenceError|RangeError|SyntaxError)\b/,
];

/** The patterns a response shows that its request did not already contain (echoed input is fine). */
export function leaksIn(responseText: string, requestText = ""): string[] {
  return LEAK_PATTERNS.filter((pattern) => pattern.test(responseText) && !pattern.test(requestText)).map(String);
}

/** A refusal: never a 5xx, one or more errors with `code`, and no data when asked. */
export function expectRefused(result: HttpResult, code: string, options: { status?: number } = {}) {
  expect(result.status, result.text).toBeLessThan(500);
  if (options.status !== undefined) expect(result.status, result.text).toBe(options.status);
  expect(result.json?.errors?.map((e: { extensions?: { code?: string } }) => e.extensions?.code), result.text).toContain(code);
  expect(result.json?.data ?? undefined, result.text).toBeUndefined();
  expect(leaksIn(result.text)).toEqual([]);
  return result.json.errors[0] as { message: string; extensions: Record<string, unknown> };
}

/** The data of a successful answer (an HttpResult or the GraphQL client's response). */
export function expectData(result: Pick<HttpResult, "status" | "text" | "json">) {
  expect(result.json?.errors, result.text).toBeUndefined();
  expect(result.status, result.text).toBe(200);
  return result.json.data;
}

export const NOTE_FIELDS = "id content attachment { fileName contentType size url } createdAt updatedAt version";

export const CREATE = `mutation Create($input: CreateNoteInput!) { createNote(input: $input) { ${NOTE_FIELDS} } }`;
export const UPDATE = `mutation Update($input: UpdateNoteInput!) { updateNote(input: $input) { ${NOTE_FIELDS} } }`;
export const DELETE = `mutation Delete($id: ID!) { deleteNote(id: $id) { ${NOTE_FIELDS} } }`;
export const READ = `query Read($id: ID!) { note(id: $id) { ${NOTE_FIELDS} } }`;
export const LIST = `query List($first: Int, $after: String) {
  notes(first: $first, after: $after) { edges { cursor node { ${NOTE_FIELDS} } } pageInfo { hasNextPage endCursor } }
}`;

/** A note as the API returns it: the domain's shape. */
export type StoredNote = Note;

/** Every note of the caller, through the public paging API. */
export async function allNotes(url: string, token: string, pageSize = 100): Promise<StoredNote[]> {
  const notes: StoredNote[] = [];
  let after: string | null = null;
  for (;;) {
    const data = expectData(await postGraphQL(url, LIST, { first: pageSize, after }, { token }));
    notes.push(...data.notes.edges.map((edge: { node: StoredNote }) => edge.node));
    if (!data.notes.pageInfo.hasNextPage) return notes;
    after = data.notes.pageInfo.endCursor;
  }
}
