import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { exportJWK, generateKeyPair, SignJWT, type CryptoKey } from "jose";
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
  token(sub: string, options?: TokenOptions): Promise<string>;
  close(): Promise<void>;
}

/**
 * A Cognito user pool stand-in on loopback, for every test and the benchmark: an RS256 key
 * published where Cognito publishes it, `<issuer>/.well-known/jwks.json`, so the API and the built
 * bundle (given only AUTH_ISSUER) verify tokens exactly as in AWS; tokens are shaped as Cognito's.
 */
export async function createTestIssuer(options: TestIssuerOptions = {}): Promise<TestIssuer> {
  const { privateKey, publicKey } = await generateKeyPair("RS256");
  const kid = "test-pool-key";
  const clientId = options.clientId ?? TEST_AUDIENCE;
  const poolPath = `/${options.poolId ?? "us-east-1_TestPool"}`;
  const jwks = JSON.stringify({ keys: [{ ...(await exportJWK(publicKey)), kid, alg: "RS256", use: "sig" }] });
  const server = createServer((req, res) => {
    const found = req.url === `${poolPath}/.well-known/jwks.json`;
    res.writeHead(found ? 200 : 404, { "content-type": "application/json" }).end(found ? jwks : "{}");
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  // A suite that never closes it still lets its worker exit.
  server.unref();
  const issuer = `http://127.0.0.1:${(server.address() as AddressInfo).port}${poolPath}`;
  return {
    settings: { issuer, clientId },
    token: (sub, tokenOptions = {}) => {
      const client = tokenOptions.audience ?? clientId;
      const claims =
        tokenOptions.use === "id" ? { token_use: "id", aud: client } : { token_use: "access", client_id: client };
      return new SignJWT(claims)
        .setProtectedHeader({ alg: "RS256", kid, typ: "JWT" })
        .setSubject(sub)
        .setIssuer(tokenOptions.issuer ?? issuer)
        .setIssuedAt()
        .setExpirationTime(tokenOptions.expiresAt ?? "1h")
        .sign(tokenOptions.signingKey ?? privateKey);
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
