import { createPrivateKey, sign, type JsonWebKey } from "node:crypto";
import { createRequire } from "node:module";
import { InitiateAuthCommand } from "@aws-sdk/client-cognito-identity-provider";
import { importJWK, SignJWT, UnsecuredJWT, type JWK } from "jose";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTokenVerifier, TokenVerificationUnavailableError } from "../../src/auth.ts";
import { LOCAL_ISSUER_DOMAIN, localCognitoClient, localUserToken } from "../../src/local/cognito.ts";
import { captureLogs } from "../../src/log.ts";
import { CREATE, expectData, leaksIn, postGraphQL, startLocalApi, type LocalApi } from "./local-api.ts";

/**
 * Hostile tokens against the real local server and its cognito-local pool (the verifier AWS runs):
 * each is treated as no token at all (UNAUTHENTICATED, `me` null); the reason reaches the log only.
 * The emulator's signing key ships in its package, so attacks can sign with the pool's real key.
 */
let api: LocalApi;
let privateJwk: JWK;
let publicJwk: JWK;
const lines: string[] = [];
let restoreLogs: () => void;

const emulatorKeys = (name: string) => (createRequire(import.meta.url)(`cognito-local/lib/keys/cognitoLocal.${name}.json`) as { jwk: JWK }).jwk;

beforeAll(async () => {
  restoreLogs = captureLogs((line) => lines.push(line), "DEBUG");
  api = await startLocalApi({ onLambdaLine: (line) => lines.push(line), lambdaEnv: { LOG_LEVEL: "DEBUG" } });
  privateJwk = emulatorKeys("private");
  publicJwk = emulatorKeys("public");
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
  client_id?: unknown;
  token_use?: unknown;
  exp?: unknown;
  nbf?: number;
  [claim: string]: unknown;
}

/** An access token signed with the local pool's real key, with whatever claims the attack needs. */
async function signed(claims: Claims, header: Record<string, unknown> = {}) {
  const key = await importJWK(privateJwk, "RS256");
  const { iss, exp, nbf, ...rest } = {
    sub: "victim",
    iss: api.cognito.issuer,
    client_id: api.cognito.clientId,
    token_use: "access",
    exp: now() + 3_600,
    ...claims,
  };
  const payload = Object.fromEntries(Object.entries({ ...rest, exp }).filter(([, value]) => value !== undefined));
  const jwt = new SignJWT(payload).setProtectedHeader({ alg: "RS256", typ: "JWT", kid: "CognitoLocal", ...header }).setIssuedAt();
  if (iss !== undefined) jwt.setIssuer(iss);
  if (nbf !== undefined) jwt.setNotBefore(nbf);
  return jwt.sign(key);
}

/** A real ID token from the local pool: signed right, for the right client, but not an access token. */
async function idToken(name: string): Promise<string> {
  await localUserToken(api.dataDir, name);
  const { password } = JSON.parse(
    await (await import("node:fs/promises")).readFile(
      `${api.dataDir}/cognito/token-users/${encodeURIComponent(`${name}@example.com`)}.json`,
      "utf8",
    ),
  ) as { password: string };
  const cognito = localCognitoClient(api.cognito.endpoint);
  try {
    const result = await cognito.send(
      new InitiateAuthCommand({
        ClientId: api.cognito.clientId,
        AuthFlow: "USER_PASSWORD_AUTH",
        AuthParameters: { USERNAME: `${name}@example.com`, PASSWORD: password },
      }),
    );
    return result.AuthenticationResult!.IdToken!;
  } finally {
    cognito.destroy();
  }
}

const attacks: [string, () => Promise<string>, string][] = [
  ["an expired token", () => signed({ exp: now() - 60 }), "ERR_JWT_EXPIRED"],
  ["a token from another pool", () => signed({ iss: `${LOCAL_ISSUER_DOMAIN}/local_OtherPool` }), "ERR_JWT_CLAIM_VALIDATION_FAILED"],
  ["a token from a deployed pool's issuer", () => signed({ iss: "https://cognito-idp.eu-west-1.amazonaws.com/evil" }), "ERR_JWT_CLAIM_VALIDATION_FAILED"],
  ["a token for another app client", () => signed({ client_id: "some-other-client" }), "ERR_JWT_CLAIM_VALIDATION_FAILED"],
  ["a token without client_id", () => signed({ client_id: undefined }), "ERR_JWT_CLAIM_VALIDATION_FAILED"],
  ["the pool's real ID token", () => idToken("id-token-user"), "ERR_JWT_CLAIM_VALIDATION_FAILED"],
  ["a token without token_use", () => signed({ token_use: undefined }), "ERR_JWT_CLAIM_VALIDATION_FAILED"],
  ["a token not valid yet (nbf)", () => signed({ nbf: now() + 3_600 }), "ERR_JWT_CLAIM_VALIDATION_FAILED"],
  ["a token without exp", () => signed({ exp: undefined }), "ERR_JWT_CLAIM_VALIDATION_FAILED"],
  ["a token whose exp is a string", () => signed({ exp: "never" }), "ERR_JWT_CLAIM_VALIDATION_FAILED"],
  ["a token without sub", () => signed({ sub: undefined }), "ERR_JWT_CLAIM_VALIDATION_FAILED"],
  ["a token whose sub is not a string", () => signed({ sub: 42 }), "ERR_JWT_CLAIM_VALIDATION_FAILED"],
  ["a token whose sub is 300 characters", () => signed({ sub: "u".repeat(300) }), "ERR_JWT_CLAIM_VALIDATION_FAILED"],
  [
    'alg "none" (unsigned)',
    async () =>
      new UnsecuredJWT({ sub: "victim", token_use: "access", client_id: api.cognito.clientId })
        .setIssuer(api.cognito.issuer)
        .setExpirationTime("1h")
        .encode(),
    "ERR_JOSE_ALG_NOT_ALLOWED",
  ],
  [
    'alg "none" with an empty signature spelled out',
    async () =>
      `${b64url({ alg: "none", typ: "JWT" })}.${b64url({ sub: "victim", iss: api.cognito.issuer, token_use: "access", client_id: api.cognito.clientId, exp: now() + 3_600 })}.`,
    "ERR_JOSE_ALG_NOT_ALLOWED",
  ],
  [
    "HS256 signed with the public key as the HMAC secret",
    async () =>
      new SignJWT({ sub: "victim", token_use: "access", client_id: api.cognito.clientId })
        .setProtectedHeader({ alg: "HS256", typ: "JWT", kid: "CognitoLocal" })
        .setIssuer(api.cognito.issuer)
        .setExpirationTime("1h")
        .sign(new TextEncoder().encode(JSON.stringify(publicJwk))),
    "ERR_JOSE_ALG_NOT_ALLOWED",
  ],
  [
    "a real token whose payload was swapped for another user's",
    async () => {
      const [header, , signature] = (await api.token("attacker")).split(".");
      const payload = { sub: "victim", iss: api.cognito.issuer, token_use: "access", client_id: api.cognito.clientId, exp: now() + 3_600, iat: now() };
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
    "a token signed by an unknown RS256 key under the pool's kid",
    async () => {
      const { generateKeyPair } = await import("jose");
      const { privateKey } = await generateKeyPair("RS256");
      return new SignJWT({ sub: "victim", token_use: "access", client_id: api.cognito.clientId })
        .setProtectedHeader({ alg: "RS256", kid: "CognitoLocal" })
        .setIssuer(api.cognito.issuer)
        .setExpirationTime("1h")
        .sign(privateKey);
    },
    "ERR_JWS_SIGNATURE_VERIFICATION_FAILED",
  ],
  [
    "a token under a kid the pool does not publish",
    () => signed({}, { kid: "SomeOtherKey" }),
    "ERR_JWKS_NO_MATCHING_KEY",
  ],
  [
    "a validly signed token with an unknown critical header",
    async () => {
      // jose will not sign this, so the signature is made by hand with the pool's real key.
      const input = `${b64url({ alg: "RS256", kid: "CognitoLocal", crit: ["x-evil"], "x-evil": true })}.${b64url({
        sub: "victim",
        iss: api.cognito.issuer,
        token_use: "access",
        client_id: api.cognito.clientId,
        exp: now() + 3_600,
      })}`;
      const key = createPrivateKey({ key: privateJwk as JsonWebKey, format: "jwk" });
      const signature = sign("sha256", Buffer.from(input), key);
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

  it("names the failed claim for issuer, app client and token kind mismatches", async () => {
    const mark = lines.length;
    await postGraphQL(api.url, "{ me { id } }", undefined, { token: await signed({ iss: "https://evil.example" }) });
    await postGraphQL(api.url, "{ me { id } }", undefined, { token: await signed({ client_id: "evil" }) });
    await postGraphQL(api.url, "{ me { id } }", undefined, { token: await signed({ token_use: "id" }) });
    const claims = lines.slice(mark).map((line) => JSON.parse(line)).filter((l) => l.message === "token rejected").map((l) => l.claim);
    expect(claims).toEqual(["iss", "client_id", "token_use"]);
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

  it("accepts the pool's genuine access token after all of the above; me.id is its sub", async () => {
    const token = await api.token("genuine");
    const sub = JSON.parse(Buffer.from(token.split(".")[1]!, "base64url").toString()).sub;
    expect(sub).toMatch(/^[0-9a-f-]{36}$/);
    expect(expectData(await postGraphQL(api.url, "{ me { id } }", undefined, { token }))).toEqual({ me: { id: sub } });
  });
});

describe("the pool's keys out of reach", () => {
  it("is a masked error, logged, not a crash and not a signed-out caller", async () => {
    const token = await api.token("outage");
    // A port nothing listens on: the JWKS fetch is refused.
    const verify = createTokenVerifier({ ...api.cognito, jwksUrl: "http://127.0.0.1:9/none/.well-known/jwks.json" });
    const mark = lines.length;
    await expect(verify(`Bearer ${token}`, "req-outage")).rejects.toBeInstanceOf(TokenVerificationUnavailableError);
    const logged = lines.slice(mark).map((line) => JSON.parse(line)).find((l) => l.message === "token verification unavailable");
    expect(logged).toMatchObject({ level: "ERROR", requestId: "req-outage" });
  });
});
