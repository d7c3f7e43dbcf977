import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { exportJWK, generateKeyPair, SignJWT, type CryptoKey } from "jose";
import { createTokenVerifier, type CognitoVerifierSettings } from "../src/auth.ts";
import { createNotesYoga, type NotesYoga, type NotesYogaOptions } from "../src/graphql/yoga.ts";

/** Shared by the GraphQL-layer suites: a test user pool, an in-process yoga and a client. */
export const TEST_ISSUER = "https://cognito-idp.test.amazonaws.com/test_Pool";
export const TEST_AUDIENCE = "notes-test-client";
export const GRAPHQL_URL = "http://localhost/graphql";

export interface TokenOptions {
  issuer?: string;
  /** The app client (`client_id`, or `aud` of an ID token). */
  audience?: string;
  /** Cognito's two token kinds; the API takes access tokens only. */
  use?: "access" | "id";
  /** Seconds since the epoch, or a jose time span such as "1h". */
  expiresAt?: number | string;
  /** Signs with this key instead of the pool's (a key the API does not trust). */
  signingKey?: CryptoKey;
}

export interface TestIssuer {
  settings: CognitoVerifierSettings;
  token(sub: string, options?: TokenOptions): Promise<string>;
  close(): Promise<void>;
}

/**
 * A Cognito user pool stand-in: an RS256 key whose JWKS is served over loopback HTTP, so the API
 * verifies tokens exactly as in AWS; tokens are shaped as Cognito's.
 */
export async function createTestIssuer(): Promise<TestIssuer> {
  const { privateKey, publicKey } = await generateKeyPair("RS256");
  const kid = "test-pool-key";
  const jwks = JSON.stringify({ keys: [{ ...(await exportJWK(publicKey)), kid, alg: "RS256", use: "sig" }] });
  const server = createServer((_req, res) => res.writeHead(200, { "content-type": "application/json" }).end(jwks));
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  // A suite that never closes it still lets its worker exit.
  server.unref();
  return {
    settings: {
      issuer: TEST_ISSUER,
      jwksUrl: `http://127.0.0.1:${(server.address() as AddressInfo).port}/jwks.json`,
      clientId: TEST_AUDIENCE,
    },
    token: (sub, options = {}) => {
      const client = options.audience ?? TEST_AUDIENCE;
      const claims = options.use === "id" ? { token_use: "id", aud: client } : { token_use: "access", client_id: client };
      return new SignJWT(claims)
        .setProtectedHeader({ alg: "RS256", kid, typ: "JWT" })
        .setSubject(sub)
        .setIssuer(options.issuer ?? TEST_ISSUER)
        .setIssuedAt()
        .setExpirationTime(options.expiresAt ?? "1h")
        .sign(options.signingKey ?? privateKey);
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
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
