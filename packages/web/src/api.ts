import { persistedExchange } from "@urql/exchange-persisted";
import { Client, fetchExchange, type CombinedError } from "urql";

/** The hash codegen put on each of the app's documents (persisted-documents.json). */
type HashedDocument = { __meta__?: { hash?: string } };

/** The bearer token, or a function that yields the current one (refreshed first when it nears expiry). */
export type AccessToken = string | null | (() => Promise<string | null>);

/**
 * An urql client that sends the session's bearer token, asked for afresh on every request. No
 * document cache: the notes list keeps its own pages, so every query goes to the API. Each
 * operation is sent as its trusted-document hash only (extensions.persistedQuery.sha256Hash),
 * never as query text.
 */
export function createApiClient(apiUrl: string, token: AccessToken, fetchFn?: typeof fetch): Client {
  return new Client({
    url: apiUrl,
    fetch: async (input, init) => {
      const current = typeof token === "function" ? await token() : token;
      const headers = new Headers(init?.headers);
      if (current) headers.set("authorization", `Bearer ${current}`);
      return (fetchFn ?? fetch)(input, { ...init, headers });
    },
    exchanges: [
      persistedExchange({
        enforcePersistedQueries: true,
        enableForMutation: true,
        preferGetForPersistedQueries: false,
        generateHash: async (_query, document) => (document as HashedDocument).__meta__?.hash,
      }),
      fetchExchange,
    ],
    preferGetMethod: false,
    requestPolicy: "network-only",
  });
}

export type ApiErrorCode =
  | "UNAUTHENTICATED"
  | "BAD_USER_INPUT"
  | "NOT_FOUND"
  | "CONFLICT"
  | "NETWORK"
  | "UNEXPECTED";

export interface ApiProblem {
  code: ApiErrorCode;
  message: string;
  /** CONFLICT: the version the note is at now. */
  currentVersion?: number;
}

/** Turns urql's error into the one thing the UI shows, keyed by the API's stable error codes. */
export function describeApiError(error: CombinedError): ApiProblem {
  if (error.networkError) {
    const status = (error.response as Response | undefined)?.status;
    return {
      code: "NETWORK",
      message:
        status === undefined
          ? "Could not reach the notes API. Check your connection and try again."
          : `The notes API answered with HTTP ${status}. Try again in a moment.`,
    };
  }
  const first = error.graphQLErrors[0];
  const code = first?.extensions?.code;
  switch (code) {
    case "UNAUTHENTICATED":
      return { code, message: "Your session has ended. Please sign in again." };
    case "BAD_USER_INPUT":
      return { code, message: first!.message };
    case "NOT_FOUND":
      return { code, message: "This note no longer exists. It may have been deleted in another tab." };
    case "CONFLICT": {
      const currentVersion = first!.extensions.currentVersion;
      return {
        code,
        message:
          "This note was changed in another tab or device since you started editing, so your changes were not saved. " +
          "Load the latest version, then apply your edit again.",
        currentVersion: typeof currentVersion === "number" ? currentVersion : undefined,
      };
    }
    default:
      return { code: "UNEXPECTED", message: "Something went wrong. Please try again." };
  }
}
