import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { jwtVerify } from "jose";
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import { remoteJwks } from "../src/jwks.ts";
import { createTestIssuer, type TestIssuer } from "./test-issuer.ts";

/** The tests' Cognito-like pool: its key set endpoint, whose answer a test may replace, counts its fetches. */
let issuer: TestIssuer;
let fetchesBefore = 0;
const fetches = () => issuer.jwksFetches() - fetchesBefore;

beforeAll(async () => {
  issuer = await createTestIssuer();
});
afterAll(() => issuer.close());
afterEach(() => {
  vi.useRealTimers();
  issuer.answerJwksWith(undefined);
  fetchesBefore = issuer.jwksFetches();
});

describe("remoteJwks", () => {
  it("fetches the key set on first use, once for concurrent and later verifications", async () => {
    const keys = remoteJwks(issuer.jwksUrl);
    expect(fetches()).toBe(0);
    const jwt = await issuer.token("u");
    const results = await Promise.all([jwtVerify(jwt, keys), jwtVerify(jwt, keys), jwtVerify(jwt, keys)]);
    await jwtVerify(jwt, keys);
    expect(results.map((r) => r.payload.sub)).toEqual(["u", "u", "u"]);
    expect(fetches()).toBe(1);
  });

  it("refetches for an unknown kid only after the 30 s cooldown, and then finds the rotated key", async () => {
    vi.useFakeTimers({ toFake: ["Date"] });
    const keys = remoteJwks(issuer.jwksUrl);
    await jwtVerify(await issuer.token("u"), keys);
    await issuer.rotateKey();
    const rotated = await issuer.token("u");
    await expect(jwtVerify(rotated, keys)).rejects.toMatchObject({ code: "ERR_JWKS_NO_MATCHING_KEY" });
    expect(fetches()).toBe(1);
    vi.setSystemTime(Date.now() + 31_000);
    await expect(jwtVerify(rotated, keys)).resolves.toMatchObject({ payload: { sub: "u" } });
    expect(fetches()).toBe(2);
  });

  it("refetches a key set older than 10 minutes", async () => {
    vi.useFakeTimers({ toFake: ["Date"] });
    const keys = remoteJwks(issuer.jwksUrl);
    const jwt = await issuer.token("u");
    await jwtVerify(jwt, keys);
    vi.setSystemTime(Date.now() + 10 * 60_000 + 1);
    await jwtVerify(jwt, keys);
    expect(fetches()).toBe(2);
  });

  it("fails like jose's remote set on a non-200 answer, a body that is not JSON and one that is not a key set", async () => {
    const jwt = await issuer.token("u");
    issuer.answerJwksWith({ status: 503, body: "{}" });
    await expect(jwtVerify(jwt, remoteJwks(issuer.jwksUrl))).rejects.toMatchObject({
      code: "ERR_JOSE_GENERIC",
      message: "Expected 200 OK from the JSON Web Key Set HTTP response",
    });
    issuer.answerJwksWith({ status: 200, body: "<html>" });
    await expect(jwtVerify(jwt, remoteJwks(issuer.jwksUrl))).rejects.toMatchObject({ code: "ERR_JOSE_GENERIC" });
    issuer.answerJwksWith({ status: 200, body: JSON.stringify({ keys: "none" }) });
    await expect(jwtVerify(jwt, remoteJwks(issuer.jwksUrl))).rejects.toMatchObject({ code: "ERR_JWKS_INVALID" });
  });

  it("reports an unreachable endpoint as an error without a code, as fetch() does (auth.ts treats it as an outage)", async () => {
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, "127.0.0.1", resolve));
    const port = (closed.address() as AddressInfo).port;
    await new Promise((resolve) => closed.close(resolve));
    const error = await jwtVerify(await issuer.token("u"), remoteJwks(new URL(`http://127.0.0.1:${port}/jwks.json`))).catch(
      (e: unknown) => e as { code?: string; cause?: { code?: string } },
    );
    expect(error).toMatchObject({ message: "JWKS request failed", cause: { code: "ECONNREFUSED" } });
    expect((error as { code?: string }).code).toBeUndefined();
  });
});
