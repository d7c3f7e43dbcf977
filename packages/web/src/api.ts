import { persistedExchange } from "@urql/exchange-persisted";
import type { Client as WebSocketClient } from "graphql-ws";
import { Client, fetchExchange, subscriptionExchange, type CombinedError } from "urql";

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
export function createApiClient(
  apiUrl: string,
  token: AccessToken,
  fetchFn?: typeof fetch,
  /** Subscriptions (noteEvents) go through this graphql-ws client; without it, none are sent. */
  websocket?: WebSocketClient,
): Client {
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
        enableForSubscriptions: true,
        preferGetForPersistedQueries: false,
        generateHash: async (_query, document) => (document as HashedDocument).__meta__?.hash,
      }),
      ...(websocket
        ? [
            subscriptionExchange({
              forwardSubscription: (request) => ({
                subscribe: (sink) => ({
                  // Hash only, like every other operation: the query text stays out of the message.
                  unsubscribe: websocket.subscribe({ ...request, query: "" }, sink),
                }),
              }),
            }),
          ]
        : []),
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
  /** BAD_USER_INPUT: the input field the API refused (its `extensions.field`). */
  field?: string;
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
    case "BAD_USER_INPUT": {
      const field = typeof first!.extensions.field === "string" ? first!.extensions.field : undefined;
      return { code, message: badInputMessage(field, first!.message), field };
    }
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

/** The API words input errors for developers; the few a user can cause with a file get plain words. */
function badInputMessage(field: string | undefined, apiMessage: string): string {
  switch (field) {
    case "attachmentUploadId":
      // The API's wording is stable: "has expired" is the one case the user fixes by waiting less.
      return /expired/i.test(apiMessage)
        ? "The uploaded file expired before the note was saved (uploads are kept for 15 minutes). Choose the file again, then save."
        : "The uploaded file could not be attached, so nothing was saved. Choose the file again, then save.";
    case "size":
      return "This file is too large: attachments can be at most 10 MB.";
    case "fileName":
      return "This file's name can't be used (it must be 1 to 255 characters, without control characters). Rename the file and choose it again.";
    case "contentType":
      return "This file's type can't be used. Choose another file.";
    default:
      return apiMessage;
  }
}
