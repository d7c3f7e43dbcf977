import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { exportJWK, generateKeyPair, SignJWT } from "jose";

/**
 * A Cognito stand-in on loopback: RS256 keys published at `<issuer>/.well-known/jwks.json`, so
 * the Lambda bundles verify tokens exactly as in AWS (remote JWKS, `cognitoVerifierSettings`).
 */
export interface BenchIssuer {
  issuer: string;
  audience: string;
  mint(userId: string): Promise<string>;
  close(): Promise<void>;
}

const AUDIENCE = "bench-user-pool-client";

export async function startIssuer(): Promise<BenchIssuer> {
  const { privateKey, publicKey } = await generateKeyPair("RS256");
  const kid = "bench-key-1";
  const jwks = JSON.stringify({ keys: [{ ...(await exportJWK(publicKey)), kid, alg: "RS256", use: "sig" }] });
  const server = createServer((req, res) => {
    if (req.url === "/.well-known/jwks.json") {
      res.writeHead(200, { "content-type": "application/json" });
      res.end(jwks);
    } else {
      res.writeHead(404).end();
    }
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const issuer = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    issuer,
    audience: AUDIENCE,
    mint: (userId) =>
      new SignJWT({ token_use: "access", client_id: AUDIENCE })
        .setProtectedHeader({ alg: "RS256", kid, typ: "JWT" })
        .setSubject(userId)
        .setIssuer(issuer)
        .setIssuedAt()
        .setExpirationTime("2h")
        .sign(privateKey),
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
