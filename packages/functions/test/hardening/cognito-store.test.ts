import { readdir, readFile, stat } from "node:fs/promises";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { cognitoDir, localUserToken } from "../../src/local/cognito.ts";
import { startLocalApi, type LocalApi } from "./local-api.ts";

/**
 * cognito-local keeps each pool in one JSON file and rewrites it whole, in place, on every change:
 * an exit or a concurrent write in the middle left a file that no longer parsed, and the next
 * `npm start` refused to start (seen once in crash.test.ts). The emulator runs with atomic writes
 * (local/cognito.ts): each write replaces the file by renaming a complete one over it.
 */
let api: LocalApi;
beforeAll(async () => {
  api = await startLocalApi();
});
afterAll(async () => {
  await api?.close();
});

async function poolFile(): Promise<string> {
  const db = join(cognitoDir(api.dataDir), ".cognito", "db");
  for (const name of await readdir(db)) {
    const file = join(db, name);
    if (name.endsWith(".json") && "Users" in JSON.parse(await readFile(file, "utf8"))) return file;
  }
  throw new Error(`no pool file in ${db}`);
}

describe("the local pool's file", () => {
  it("is replaced whole by each write, never rewritten in place", async () => {
    await localUserToken(api.dataDir, "replaced");
    const file = await poolFile();
    const before = await stat(file);
    await localUserToken(api.dataDir, "replaced"); // a sign-in stores a refresh token: one write
    const after = await stat(file);
    // A rename puts a new inode in place; an in-place rewrite (truncate + write) keeps the old one.
    expect(after.ino).not.toBe(before.ino);
    expect((await readdir(join(file, ".."))).filter((name) => name.endsWith(".tmp"))).toEqual([]);
  });

  it("stays whole JSON when many users sign up and sign in at once", async () => {
    const users = Array.from({ length: 24 }, (_, i) => `burst${i}`);
    for (let round = 0; round < 2; round++) {
      const tokens = await Promise.all(users.map((user) => localUserToken(api.dataDir, user)));
      expect(tokens.every((token) => token.split(".").length === 3)).toBe(true);
    }
    const pool = JSON.parse(await readFile(await poolFile(), "utf8")) as { Users: Record<string, unknown> };
    // Every user is in it (the file is whole and no write lost another's user).
    const stored = JSON.stringify(pool.Users);
    expect(users.filter((user) => !stored.includes(`"${user}@example.com"`))).toEqual([]);
  });
});
