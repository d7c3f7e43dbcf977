import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { exportJWK, generateKeyPair, SignJWT, type CryptoKey, type JWK } from "jose";
import type { CognitoVerifierSettings } from "../src/auth.ts";

/** The app client a test pool issues tokens for unless told otherwise. */
export const TEST_AUDIENCE = "notes-test-client";

export interface TestIssuerOptions {
  /** The pool id, the last part of the issuer URL (Cognito's `<region>_<id>`). */
  poolId?: string;
  /** The app client the pool's tokens are for (`client_id`) and the API accepts. */
  clientId?: string;
}

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
  /** What the API verifies against: `issuer` (its keys at `<issuer>/.well-known/jwks.json`) and `clientId`. */
  settings: CognitoVerifierSettings;
  /** `<issuer>/.well-known/jwks.json`. */
  jwksUrl: URL;
  token(sub: string, options?: TokenOptions): Promise<string>;
  /** Publishes a new key beside the old ones, as Cognito rotates, and signs with it from now on. */
  rotateKey(): Promise<void>;
  /** How many times the key set has been fetched. */
  jwksFetches(): number;
  /** What the key set endpoint answers instead of the keys (an outage, a broken body); none: the keys again. */
  answerJwksWith(answer?: { status: number; body: string }): void;
  close(): Promise<void>;
}

/**
 * A Cognito user pool stand-in on loopback, for every test and the benchmark: an RS256 key
 * published where Cognito publishes it, `<issuer>/.well-known/jwks.json`, so the API and the built
 * bundle (given only AUTH_ISSUER) verify tokens exactly as in AWS; tokens are shaped as Cognito's.
 */
export async function createTestIssuer(options: TestIssuerOptions = {}): Promise<TestIssuer> {
  const published: JWK[] = [];
  let signing: { kid: string; privateKey: CryptoKey };
  const addKey = async () => {
    const { privateKey, publicKey } = await generateKeyPair("RS256");
    const kid = `test-pool-key-${published.length + 1}`;
    published.push({ ...(await exportJWK(publicKey)), kid, alg: "RS256", use: "sig" });
    signing = { kid, privateKey };
  };
  await addKey();
  const clientId = options.clientId ?? TEST_AUDIENCE;
  const poolPath = `/${options.poolId ?? "us-east-1_TestPool"}`;
  let fetches = 0;
  let override: { status: number; body: string } | undefined;
  const server = createServer((req, res) => {
    const found = req.url === `${poolPath}/.well-known/jwks.json`;
    if (found) fetches++;
    const answer = !found ? { status: 404, body: "{}" } : (override ?? { status: 200, body: JSON.stringify({ keys: published }) });
    res.writeHead(answer.status, { "content-type": "application/json" }).end(answer.body);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  // A suite that never closes it still lets its worker exit.
  server.unref();
  const issuer = `http://127.0.0.1:${(server.address() as AddressInfo).port}${poolPath}`;
  return {
    settings: { issuer, clientId },
    jwksUrl: new URL(`${issuer}/.well-known/jwks.json`),
    token: (sub, tokenOptions = {}) => {
      const client = tokenOptions.audience ?? clientId;
      const claims =
        tokenOptions.use === "id" ? { token_use: "id", aud: client } : { token_use: "access", client_id: client };
      return new SignJWT(claims)
        .setProtectedHeader({ alg: "RS256", kid: signing.kid, typ: "JWT" })
        .setSubject(sub)
        .setIssuer(tokenOptions.issuer ?? issuer)
        .setIssuedAt()
        .setExpirationTime(tokenOptions.expiresAt ?? "1h")
        .sign(tokenOptions.signingKey ?? signing.privateKey);
    },
    rotateKey: addKey,
    jwksFetches: () => fetches,
    answerJwksWith(answer) {
      override = answer;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
