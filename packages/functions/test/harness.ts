import { createTokenVerifier } from "../src/auth.ts";
import { createNotesYoga, type NotesYoga, type NotesYogaOptions } from "../src/graphql/yoga.ts";
import type { TestIssuer } from "./test-issuer.ts";

/** Shared by the GraphQL-layer suites: an in-process yoga and a client (the user pool: test-issuer.ts). */
export const GRAPHQL_URL = "http://localhost/graphql";

export function createTestYoga(
  issuer: TestIssuer,
  options: Omit<NotesYogaOptions, "verifyAuthorization"> = {},
): NotesYoga {
  return createNotesYoga({ ...options, verifyAuthorization: createTokenVerifier(issuer.settings) });
}

export interface GraphQLError {
  message: string;
  path?: (string | number)[];
  extensions?: { code?: string; [key: string]: unknown };
  [key: string]: unknown;
}

export interface GraphQLBody {
  // Shaped by each test's own query, so tests read it field by field.
  data?: any;
  errors?: GraphQLError[];
}

export interface GraphQLResponse {
  status: number;
  headers: Headers;
  body: GraphQLBody;
  text: string;
}

export interface RequestOptions {
  token?: string;
  /** A raw Authorization header, for malformed ones. */
  authorization?: string;
  requestId?: string;
}

/** POSTs a GraphQL request to yoga in-process, the way a JSON client would. */
export function graphqlClient(yoga: NotesYoga) {
  return async function gql(
    query: string,
    variables?: Record<string, unknown>,
    options: RequestOptions = {},
  ): Promise<GraphQLResponse> {
    const headers: Record<string, string> = {
      "content-type": "application/json",
      accept: "application/graphql-response+json, application/json",
    };
    const authorization = options.authorization ?? (options.token && `Bearer ${options.token}`);
    if (authorization) headers.authorization = authorization;
    const response = await yoga.fetch(
      GRAPHQL_URL,
      { method: "POST", headers, body: JSON.stringify({ query, variables }) },
      { requestId: options.requestId },
    );
    const text = await response.text();
    return { status: response.status, headers: response.headers, body: JSON.parse(text), text };
  };
}

/** The codes of a response's errors, in order. */
export function errorCodes(body: GraphQLBody): (string | undefined)[] {
  return (body.errors ?? []).map((error) => error.extensions?.code);
}
