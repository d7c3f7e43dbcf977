import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { exportJWK, generateKeyPair, jwtVerify, SignJWT, type CryptoKey, type JWK } from "jose";
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import { remoteJwks } from "../src/jwks.ts";

/** A Cognito-like JWKS endpoint whose answer each test sets, counting the fetches it serves. */
let server: Server;
let url: URL;
let answer: { status: number; body: string } = { status: 200, body: "{}" };
let fetches = 0;

async function keyPair(kid: string): Promise<{ privateKey: CryptoKey; jwk: JWK }> {
  const { privateKey, publicKey } = await generateKeyPair("RS256");
  return { privateKey, jwk: { ...(await exportJWK(publicKey)), kid, alg: "RS256", use: "sig" } };
}

function token(privateKey: CryptoKey, kid: string) {
  return new SignJWT({}).setProtectedHeader({ alg: "RS256", kid }).setSubject("u").setExpirationTime("1h").sign(privateKey);
}

beforeAll(async () => {
  server = createServer((req, res) => {
    fetches++;
    res.writeHead(answer.status, { "content-type": "application/json" });
    res.end(answer.body);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  url = new URL(`http://127.0.0.1:${(server.address() as AddressInfo).port}/pool/.well-known/jwks.json`);
});
afterAll(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
});
afterEach(() => {
  vi.useRealTimers();
  fetches = 0;
});

describe("remoteJwks", () => {
  it("fetches the key set on first use, once for concurrent and later verifications", async () => {
    const a = await keyPair("a");
    answer = { status: 200, body: JSON.stringify({ keys: [a.jwk] }) };
    const keys = remoteJwks(url);
    expect(fetches).toBe(0);
    const jwt = await token(a.privateKey, "a");
    const results = await Promise.all([jwtVerify(jwt, keys), jwtVerify(jwt, keys), jwtVerify(jwt, keys)]);
    await jwtVerify(jwt, keys);
    expect(results.map((r) => r.payload.sub)).toEqual(["u", "u", "u"]);
    expect(fetches).toBe(1);
  });

  it("refetches for an unknown kid only after the 30 s cooldown, and then finds the rotated key", async () => {
    vi.useFakeTimers({ toFake: ["Date"] });
    const a = await keyPair("a");
    const b = await keyPair("b");
    answer = { status: 200, body: JSON.stringify({ keys: [a.jwk] }) };
    const keys = remoteJwks(url);
    await jwtVerify(await token(a.privateKey, "a"), keys);
    answer = { status: 200, body: JSON.stringify({ keys: [a.jwk, b.jwk] }) };
    const rotated = await token(b.privateKey, "b");
    await expect(jwtVerify(rotated, keys)).rejects.toMatchObject({ code: "ERR_JWKS_NO_MATCHING_KEY" });
    expect(fetches).toBe(1);
    vi.setSystemTime(Date.now() + 31_000);
    await expect(jwtVerify(rotated, keys)).resolves.toMatchObject({ payload: { sub: "u" } });
    expect(fetches).toBe(2);
  });

  it("refetches a key set older than 10 minutes", async () => {
    vi.useFakeTimers({ toFake: ["Date"] });
    const a = await keyPair("a");
    answer = { status: 200, body: JSON.stringify({ keys: [a.jwk] }) };
    const keys = remoteJwks(url);
    const jwt = await token(a.privateKey, "a");
    await jwtVerify(jwt, keys);
    vi.setSystemTime(Date.now() + 10 * 60_000 + 1);
    await jwtVerify(jwt, keys);
    expect(fetches).toBe(2);
  });

  it("fails like jose's remote set on a non-200 answer, a body that is not JSON and one that is not a key set", async () => {
    const a = await keyPair("a");
    const jwt = await token(a.privateKey, "a");
    answer = { status: 503, body: "{}" };
    await expect(jwtVerify(jwt, remoteJwks(url))).rejects.toMatchObject({
      code: "ERR_JOSE_GENERIC",
      message: "Expected 200 OK from the JSON Web Key Set HTTP response",
    });
    answer = { status: 200, body: "<html>" };
    await expect(jwtVerify(jwt, remoteJwks(url))).rejects.toMatchObject({ code: "ERR_JOSE_GENERIC" });
    answer = { status: 200, body: JSON.stringify({ keys: "none" }) };
    await expect(jwtVerify(jwt, remoteJwks(url))).rejects.toMatchObject({ code: "ERR_JWKS_INVALID" });
  });

  it("reports an unreachable endpoint as an error without a code, as fetch() does (auth.ts treats it as an outage)", async () => {
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, "127.0.0.1", resolve));
    const port = (closed.address() as AddressInfo).port;
    await new Promise((resolve) => closed.close(resolve));
    const a = await keyPair("a");
    const error = await jwtVerify(await token(a.privateKey, "a"), remoteJwks(new URL(`http://127.0.0.1:${port}/jwks.json`))).catch(
      (e: unknown) => e as { code?: string; cause?: { code?: string } },
    );
    expect(error).toMatchObject({ message: "JWKS request failed", cause: { code: "ECONNREFUSED" } });
    expect((error as { code?: string }).code).toBeUndefined();
  });
});
