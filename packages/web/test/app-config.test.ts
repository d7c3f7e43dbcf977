import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { mintDevToken } from "@notes/functions/local/dev-issuer";
import { isExpired, loadSession, saveSession, sessionFromToken, SESSION_STORAGE_KEY } from "../src/auth/session.ts";
import { appConfigFrom } from "../src/config.ts";

describe("appConfigFrom (the VITE_ variables baked into a build)", () => {
  it("without any, talks to its own origin and signs in through the local dev sign-in", () => {
    const config = appConfigFrom({});
    expect(config.apiUrl).toBe("/graphql");
    expect(config.auth.kind).toBe("local");
    expect(config.auth.kind === "local" && new URL(config.auth.signInUrl).pathname).toBe("/dev/sign-in");
  });

  it("with the deployed values, uses the API URL and Cognito", () => {
    expect(
      appConfigFrom({
        VITE_API_URL: "https://abc.execute-api.eu-west-1.amazonaws.com/graphql",
        VITE_REGION: "eu-west-1",
        VITE_USER_POOL_ID: "eu-west-1_AbC",
        VITE_USER_POOL_CLIENT_ID: "client123",
      }),
    ).toEqual({
      apiUrl: "https://abc.execute-api.eu-west-1.amazonaws.com/graphql",
      auth: { kind: "cognito", region: "eu-west-1", userPoolId: "eu-west-1_AbC", clientId: "client123" },
    });
  });

  it("treats SST's unreplaced build placeholders as unset", () => {
    const config = appConfigFrom({
      VITE_API_URL: "{{ VITE_API_URL }}",
      VITE_REGION: "us-east-1",
      VITE_USER_POOL_ID: "{{ VITE_USER_POOL_ID }}",
      VITE_USER_POOL_CLIENT_ID: "{{ VITE_USER_POOL_CLIENT_ID }}",
    });
    expect(config.apiUrl).toBe("/graphql");
    expect(config.auth.kind).toBe("local");
  });
});

describe("the session kept in localStorage", () => {
  function memoryStorage(): Storage {
    const items = new Map<string, string>();
    return {
      get length() {
        return items.size;
      },
      clear: () => items.clear(),
      getItem: (key) => items.get(key) ?? null,
      key: (index) => [...items.keys()][index] ?? null,
      removeItem: (key) => void items.delete(key),
      setItem: (key, value) => void items.set(key, value),
    };
  }

  it("reads the user and expiry from a dev-issuer token and survives a reload until it expires", async () => {
    const dataDir = await mkdtemp(join(tmpdir(), "notes-web-session-"));
    try {
      const before = Math.floor(Date.now() / 1000);
      const token = await mintDevToken(dataDir, "alice", "1h");
      const after = Math.ceil(Date.now() / 1000);
      const session = sessionFromToken(token);
      expect(session.userId).toBe("alice");
      expect(session.expiresAt).toBeGreaterThanOrEqual((before + 3600) * 1000);
      expect(session.expiresAt).toBeLessThanOrEqual((after + 3600) * 1000);

      const storage = memoryStorage();
      saveSession(session, storage);
      expect(JSON.parse(storage.getItem(SESSION_STORAGE_KEY)!)).toEqual({ token: session.token });
      expect(loadSession(storage)).toEqual(session);

      expect(isExpired(session, session.expiresAt - 60_000)).toBe(false);
      expect(isExpired(session, session.expiresAt - 10_000)).toBe(true);
      const expired = sessionFromToken(await mintDevToken(dataDir, "alice", before - 10));
      saveSession(expired, storage);
      expect(loadSession(storage)).toBeNull();
    } finally {
      await rm(dataDir, { recursive: true, force: true });
    }
  });

  it("rejects what is not a token", () => {
    expect(() => sessionFromToken("not-a-jwt")).toThrow(/valid token/);
    expect(() => sessionFromToken(`x.${btoa(JSON.stringify({ sub: "a" }))}.y`)).toThrow(/valid token/);
    const storage = memoryStorage();
    storage.setItem(SESSION_STORAGE_KEY, "{broken");
    expect(loadSession(storage)).toBeNull();
  });
});
