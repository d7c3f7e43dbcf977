import type { TypedDocumentNode } from "@graphql-typed-document-node/core";
import { print } from "graphql";
import type { NotesYoga } from "../src/graphql/yoga.ts";

/**
 * The tests' one GraphQL client: a GraphQL-over-HTTP POST as a JSON client sends it, to the local
 * server over the network (fetch) or to yoga in-process, with query text or a typed document
 * (optionally only its trusted-document hash, as the web app sends it).
 */

/** How a request travels: `fetch`, or yoga's in-process fetch (`inProcess`). */
export type Send = (url: string, init: RequestInit, requestId?: string) => Promise<Response> | Response;

/** yoga in this process, no port; `requestId` is the server context's, as the runtimes pass it. */
export const inProcess =
  (yoga: NotesYoga): Send =>
  (url, init, requestId) =>
    yoga.fetch(url, init, { requestId });

export interface GraphQLError {
  message: string;
  path?: (string | number)[];
  extensions?: { code?: string; [key: string]: unknown };
  [key: string]: unknown;
}

export interface GraphQLBody<Data = any> {
  // Shaped by each test's own query unless the document is typed.
  data?: Data | null;
  errors?: GraphQLError[];
}

export interface GraphQLResponse<Data = any> {
  status: number;
  headers: Headers;
  /** The parsed JSON body ({} when the body is not JSON: read `text`). */
  body: GraphQLBody<Data>;
  /** The parsed JSON body, undefined when it is not JSON. */
  json: any;
  text: string;
}

export interface RequestOptions {
  token?: string;
  /** A raw Authorization header, for malformed ones. */
  authorization?: string;
  headers?: Record<string, string>;
  operationName?: string;
  /** The server context's request id (in-process only). */
  requestId?: string;
  /** Only the typed document's trusted-document hash is sent, as the web app does. */
  byHash?: boolean;
}

export function graphqlClient(url: string, send: Send = fetch) {
  return async function gql<Data = any, Variables = Record<string, unknown>>(
    document: string | TypedDocumentNode<Data, Variables>,
    variables?: Variables,
    options: RequestOptions = {},
  ): Promise<GraphQLResponse<Data>> {
    const headers: Record<string, string> = {
      "content-type": "application/json",
      accept: "application/graphql-response+json, application/json",
      ...options.headers,
    };
    const authorization = options.authorization ?? (options.token && `Bearer ${options.token}`);
    if (authorization) headers.authorization = authorization;
    const { operationName } = options;
    const payload = options.byHash
      ? { variables, operationName, extensions: { persistedQuery: { version: 1, sha256Hash: hashOf(document) } } }
      : { query: typeof document === "string" ? document : print(document), variables, operationName };
    const response = await send(url, { method: "POST", headers, body: JSON.stringify(payload) }, options.requestId);
    const text = await response.text();
    const json = parsed(text);
    return { status: response.status, headers: response.headers, body: json ?? {}, json, text };
  };
}

function parsed(text: string): any {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

function hashOf(document: unknown): string {
  const hash = (document as { __meta__?: { hash?: string } }).__meta__?.hash;
  if (!hash) throw new Error("document has no trusted-document hash: run npm run codegen");
  return hash;
}

/** The codes of a response's errors, in order. */
export function errorCodes(body: GraphQLBody): (string | undefined)[] {
  return (body.errors ?? []).map((error) => error.extensions?.code);
}
