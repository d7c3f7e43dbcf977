import { generateKeyPair, SignJWT, type CryptoKey } from "jose";
import { createTokenVerifier, type TokenVerifierSettings } from "../src/auth.ts";
import { createNotesYoga, type NotesYoga, type NotesYogaOptions } from "../src/graphql/yoga.ts";

/** Shared by the GraphQL-layer suites: a test token issuer, an in-process yoga and a client. */
export const TEST_ISSUER = "https://issuer.notes.test/pool";
export const TEST_AUDIENCE = "notes-test-client";
export const GRAPHQL_URL = "http://localhost/graphql";

export interface TokenOptions {
  issuer?: string;
  audience?: string;
  /** Seconds since the epoch, or a jose time span such as "1h". */
  expiresAt?: number | string;
  /** Signs with this key instead of the issuer's (a key the API does not trust). */
  signingKey?: CryptoKey;
}

export interface TestIssuer {
  settings: TokenVerifierSettings;
  token(sub: string, options?: TokenOptions): Promise<string>;
}

/** An ES256 key pair standing in for the identity provider; the API trusts its public half. */
export async function createTestIssuer(): Promise<TestIssuer> {
  const { privateKey, publicKey } = await generateKeyPair("ES256");
  return {
    settings: { issuer: TEST_ISSUER, audience: TEST_AUDIENCE, key: publicKey, algorithms: ["ES256"] },
    token: (sub, options = {}) =>
      new SignJWT({ token_use: "id" })
        .setProtectedHeader({ alg: "ES256", typ: "JWT" })
        .setSubject(sub)
        .setIssuer(options.issuer ?? TEST_ISSUER)
        .setAudience(options.audience ?? TEST_AUDIENCE)
        .setIssuedAt()
        .setExpirationTime(options.expiresAt ?? "1h")
        .sign(options.signingKey ?? privateKey),
  };
}

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
