import type { TypedDocumentNode } from "@graphql-typed-document-node/core";
import { print, type GraphQLFormattedError } from "graphql";

export interface TypedResult<Data> {
  status: number;
  data?: Data | null;
  errors?: GraphQLFormattedError[];
}

type Fetch = (url: string, init: RequestInit) => Promise<Response> | Response;

/**
 * Sends one of the web app's typed documents as a JSON POST; the result is typed by the
 * document, as in the app. `send` is the global fetch or yoga's in-process fetch. With `byHash`,
 * only the document's trusted-document hash is sent, as the app does.
 */
export function typedClient(send: Fetch, url: string, options: { byHash?: boolean } = {}) {
  return async function request<Data, Variables>(
    document: TypedDocumentNode<Data, Variables>,
    variables: Variables,
    token?: string,
  ): Promise<TypedResult<Data>> {
    const headers: Record<string, string> = {
      "content-type": "application/json",
      accept: "application/graphql-response+json, application/json",
    };
    if (token) headers.authorization = `Bearer ${token}`;
    const response = await send(url, {
      method: "POST",
      headers,
      body: JSON.stringify(
        options.byHash
          ? { variables, extensions: { persistedQuery: { version: 1, sha256Hash: hashOf(document) } } }
          : { query: print(document), variables },
      ),
    });
    return { status: response.status, ...((await response.json()) as Omit<TypedResult<Data>, "status">) };
  };
}

function hashOf(document: unknown): string {
  const hash = (document as { __meta__?: { hash?: string } }).__meta__?.hash;
  if (!hash) throw new Error("document has no trusted-document hash: run npm run codegen");
  return hash;
}
