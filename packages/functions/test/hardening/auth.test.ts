import { createPrivateKey, sign, type JsonWebKey } from "node:crypto";
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { importJWK, SignJWT, UnsecuredJWT, type JWK } from "jose";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DEV_AUDIENCE, DEV_ISSUER } from "../../src/local/dev-issuer.ts";
import { captureLogs } from "../../src/log.ts";
import { CREATE, expectData, leaksIn, postGraphQL, startLocalApi, type LocalApi } from "./local-api.ts";

/**
 * Hostile tokens against the real local server (the same verifier code path as Cognito in AWS):
 * each is treated as no token at all (UNAUTHENTICATED, `me` null); the reason reaches the log only.
 */
let api: LocalApi;
let privateJwk: JWK;
let publicJwk: JWK;
const lines: string[] = [];
let restoreLogs: () => void;

beforeAll(async () => {
  restoreLogs = captureLogs((line) => lines.push(line), "DEBUG");
  api = await startLocalApi();
  privateJwk = JSON.parse(await readFile(join(api.dataDir, "dev-issuer-key.json"), "utf8"));
  const { d: _private, ...rest } = privateJwk;
  publicJwk = rest;
});
afterAll(async () => {
  await api?.close();
  restoreLogs?.();
});

const now = () => Math.floor(Date.now() / 1000);
const b64url = (value: unknown) => Buffer.from(JSON.stringify(value)).toString("base64url");

interface Claims {
  sub?: unknown;
  iss?: string;
  aud?: string | string[];
  exp?: unknown;
  nbf?: number;
  [claim: string]: unknown;
}

/** A token signed with the dev issuer's real key, with whatever claims the attack needs. */
async function signed(claims: Claims, header: Record<string, unknown> = {}) {
  const key = await importJWK(privateJwk, "ES256");
  const { sub, iss, aud, exp, nbf, ...rest } = {
    sub: "victim",
    iss: DEV_ISSUER,
    aud: DEV_AUDIENCE,
    exp: now() + 3_600,
    ...claims,
  };
  const jwt = new SignJWT({ ...rest, ...(exp !== undefined && { exp }), ...(sub !== undefined && { sub }) } as Record<string, unknown>)
    .setProtectedHeader({ alg: "ES256", typ: "JWT", kid: privateJwk.kid, ...header })
    .setIssuedAt();
  if (iss !== undefined) jwt.setIssuer(iss);
  if (aud !== undefined) jwt.setAudience(aud);
  if (nbf !== undefined) jwt.setNotBefore(nbf);
  return jwt.sign(key);
}

const attacks: [string, () => Promise<string>, string][] = [
  ["an expired token", () => signed({ exp: now() - 60 }), "ERR_JWT_EXPIRED"],
  ["a token from another issuer", () => signed({ iss: "https://cognito-idp.eu-west-1.amazonaws.com/evil" }), "ERR_JWT_CLAIM_VALIDATION_FAILED"],
  ["a token for another audience", () => signed({ aud: "some-other-client" }), "ERR_JWT_CLAIM_VALIDATION_FAILED"],
  ["a token without an audience", () => signed({ aud: undefined }), "ERR_JWT_CLAIM_VALIDATION_FAILED"],
  ["a token not valid yet (nbf)", () => signed({ nbf: now() + 3_600 }), "ERR_JWT_CLAIM_VALIDATION_FAILED"],
  ["a token without exp", () => signed({ exp: undefined }), "ERR_JWT_CLAIM_VALIDATION_FAILED"],
  ["a token whose exp is a string", () => signed({ exp: "never" }), "ERR_JWT_CLAIM_VALIDATION_FAILED"],
  ["a token without sub", () => signed({ sub: undefined }), "ERR_JWT_CLAIM_VALIDATION_FAILED"],
  ["a token whose sub is not a string", () => signed({ sub: 42 }), "ERR_JWT_CLAIM_VALIDATION_FAILED"],
  ["a token whose sub is 300 characters", () => signed({ sub: "u".repeat(300) }), "ERR_JWT_CLAIM_VALIDATION_FAILED"],
  [
    'alg "none" (unsigned)',
    async () =>
      new UnsecuredJWT({ sub: "victim", token_use: "id" })
        .setIssuer(DEV_ISSUER)
        .setAudience(DEV_AUDIENCE)
        .setExpirationTime("1h")
        .encode(),
    "ERR_JOSE_ALG_NOT_ALLOWED",
  ],
  [
    'alg "none" with an empty signature spelled out',
    async () => `${b64url({ alg: "none", typ: "JWT" })}.${b64url({ sub: "victim", iss: DEV_ISSUER, aud: DEV_AUDIENCE, exp: now() + 3_600 })}.`,
    "ERR_JOSE_ALG_NOT_ALLOWED",
  ],
  [
    "HS256 signed with the public key as the HMAC secret",
    async () =>
      new SignJWT({ sub: "victim" })
        .setProtectedHeader({ alg: "HS256", typ: "JWT", kid: privateJwk.kid })
        .setIssuer(DEV_ISSUER)
        .setAudience(DEV_AUDIENCE)
        .setExpirationTime("1h")
        .sign(new TextEncoder().encode(JSON.stringify(publicJwk))),
    "ERR_JOSE_ALG_NOT_ALLOWED",
  ],
  [
    "a real token whose payload was swapped for another user's",
    async () => {
      const [header, , signature] = (await api.token("attacker")).split(".");
      const payload = { sub: "victim", iss: DEV_ISSUER, aud: DEV_AUDIENCE, exp: now() + 3_600, iat: now() };
      return `${header}.${b64url(payload)}.${signature}`;
    },
    "ERR_JWS_SIGNATURE_VERIFICATION_FAILED",
  ],
  [
    "a real token with one signature character changed",
    async () => {
      const token = await api.token("victim");
      const last = token.at(-2) === "A" ? "B" : "A";
      return `${token.slice(0, -2)}${last}${token.at(-1)}`;
    },
    "ERR_JWS_SIGNATURE_VERIFICATION_FAILED",
  ],
  [
    "a token signed by an unknown ES256 key",
    async () => {
      const { generateKeyPair } = await import("jose");
      const { privateKey } = await generateKeyPair("ES256");
      return new SignJWT({ sub: "victim" })
        .setProtectedHeader({ alg: "ES256", kid: privateJwk.kid })
        .setIssuer(DEV_ISSUER)
        .setAudience(DEV_AUDIENCE)
        .setExpirationTime("1h")
        .sign(privateKey);
    },
    "ERR_JWS_SIGNATURE_VERIFICATION_FAILED",
  ],
  [
    "a validly signed token with an unknown critical header",
    async () => {
      // jose will not sign this, so the signature is made by hand with the issuer's real key.
      const input = `${b64url({ alg: "ES256", kid: privateJwk.kid, crit: ["x-evil"], "x-evil": true })}.${b64url({
        sub: "victim",
        iss: DEV_ISSUER,
        aud: DEV_AUDIENCE,
        exp: now() + 3_600,
      })}`;
      const key = createPrivateKey({ key: privateJwk as JsonWebKey, format: "jwk" });
      const signature = sign("sha256", Buffer.from(input), { key, dsaEncoding: "ieee-p1363" });
      return `${input}.${signature.toString("base64url")}`;
    },
    "ERR_JOSE_NOT_SUPPORTED",
  ],
  ["a header that is not JSON", async () => `${Buffer.from("{not json").toString("base64url")}.${b64url({ sub: "victim" })}.sig`, "ERR_JWS_INVALID"],
  ["a 9 KB token", async () => "a".repeat(9_000), "malformed Authorization header"],
];

describe("hostile tokens are no token", () => {
  it.each(attacks)("%s", async (_label, makeToken, reason) => {
    const token = await makeToken();
    const mark = lines.length;

    const me = await postGraphQL(api.url, "{ me { id } }", undefined, { token });
    expect(expectData(me)).toEqual({ me: null });

    const write = await postGraphQL(api.url, CREATE, { input: { content: "written with a bad token" } }, { token });
    expect(write.status).toBe(200);
    expect(write.json.data).toBeNull();
    expect(write.json.errors.map((e: { extensions: { code: string } }) => e.extensions.code)).toEqual(["UNAUTHENTICATED"]);
    expect(write.json.errors[0].message).toBe("A valid bearer token is required.");
    for (const response of [me, write]) {
      expect(leaksIn(response.text)).toEqual([]);
      expect(response.text).not.toMatch(/ERR_|expired|signature|issuer|audience|alg/i);
    }

    // The reason is in the log, with the request id; the token is not.
    const logged = lines.slice(mark).map((line) => JSON.parse(line)).filter((line) => line.message === "token rejected");
    expect(logged.length).toBeGreaterThan(0);
    expect(logged[0].reason).toBe(reason);
    expect(logged[0].requestId).toEqual(expect.any(String));
    const signature = token.split(".")[2];
    for (const line of lines.slice(mark)) {
      expect(line).not.toContain(token);
      if (signature && signature.length > 10) expect(line).not.toContain(signature);
    }
  });

  it("names the failed claim for issuer and audience mismatches", async () => {
    const mark = lines.length;
    await postGraphQL(api.url, "{ me { id } }", undefined, { token: await signed({ iss: "https://evil.example" }) });
    await postGraphQL(api.url, "{ me { id } }", undefined, { token: await signed({ aud: "evil" }) });
    const claims = lines.slice(mark).map((line) => JSON.parse(line)).filter((l) => l.message === "token rejected").map((l) => l.claim);
    expect(claims).toEqual(["iss", "aud"]);
  });

  it.each([
    ["Basic credentials", "Basic dXNlcjpwYXNz"],
    ["a bare token without the scheme", "eyJhbGciOiJFUzI1NiJ9.e30.sig"],
    ["two tokens", "Bearer a.b.c Bearer d.e.f"],
    ["a token with a newline-looking escape", "Bearer a.b.c\\r\\nX-Injected: 1"],
  ])("refuses an Authorization header with %s", async (_label, authorization) => {
    const result = await postGraphQL(api.url, "{ me { id } }", undefined, { headers: { authorization } });
    expect(expectData(result)).toEqual({ me: null });
  });

  it("accepts the genuine token after all of the above", async () => {
    const token = await api.token("genuine");
    expect(expectData(await postGraphQL(api.url, "{ me { id } }", undefined, { token }))).toEqual({ me: { id: "genuine" } });
  });
});
