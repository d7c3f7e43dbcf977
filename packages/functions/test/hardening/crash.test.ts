import { spawn, type ChildProcess } from "node:child_process";
import { isRunning, lambdaWorkerPids } from "../local/processes.ts";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { localUserToken } from "../../src/local/cognito.ts";
import { CREATE, UPDATE, allNotes, expectData, postGraphQL, type StoredNote } from "./local-api.ts";

/**
 * SIGKILL of the local server (`npm start`'s entry point, a child process) in the middle of a
 * burst of creates and updates, then a restart on the same DATA_DIR: every note on disk is
 * whole (each write is one conditional DynamoDB write), and every acknowledged write is there.
 */
const repoRoot = fileURLToPath(new URL("../../../../", import.meta.url));
const READY = /Notes API ready in \d+ ms: (http:\/\/\S+)/;
const USERS = ["crash-a", "crash-b", "crash-c"];
const WORKERS = 12;
const KILL_AFTER_ACKS = 120;

let dataDir: string;
const children = new Set<ChildProcess>();

beforeAll(async () => {
  dataDir = await mkdtemp(join(tmpdir(), "notes-crash-"));
});
afterAll(async () => {
  for (const child of children) child.kill("SIGKILL");
  await rm(dataDir, { recursive: true, force: true });
});

/** The server as `npm start` runs it, but as one node process, so SIGKILL reaches the server itself. */
async function startServer(): Promise<{ url: string; cognitoEndpoint: string; child: ChildProcess }> {
  const child = spawn(process.execPath, ["--import", "tsx", join(repoRoot, "packages/functions/src/local/main.ts")], {
    cwd: repoRoot,
    env: { ...process.env, PORT: "0", HOST: "127.0.0.1", DATA_DIR: dataDir, LOG_LEVEL: "ERROR" },
    stdio: ["ignore", "pipe", "pipe"],
  });
  children.add(child);
  child.once("exit", () => children.delete(child));
  let output = "";
  child.stdout!.setEncoding("utf8").on("data", (chunk: string) => (output += chunk));
  child.stderr!.setEncoding("utf8").on("data", (chunk: string) => (output += chunk));
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`server not ready in 30 s:\n${output}`)), 30_000);
    child.stdout!.on("data", () => {
      const match = READY.exec(output);
      if (match) {
        clearTimeout(timer);
        resolve(match[1]!);
      }
    });
    child.once("exit", (code, signal) => reject(new Error(`server exited (${code ?? signal}):\n${output}`)));
  });
  return { url, cognitoEndpoint: /Cognito:  (http:\/\/\S+)/.exec(output)![1]!, child };
}

function contentFor(user: string, n: number) {
  // Tens of kilobytes, so a kill can land while an item is being written.
  return `${user}#${n}#${"x".repeat(20_000 + (n % 7) * 4_000)}#end`;
}

describe("SIGKILL during a burst of writes", () => {
  it("leaves only whole notes, and every acknowledged write survives the restart", async () => {
    const first = await startServer();
    // Issued before the kill, used after the restart: the local pool's tokens outlive the process.
    const tokens = new Map(await Promise.all(USERS.map(async (user) => [user, await localUserToken(dataDir, user)] as const)));

    // Notes that the burst will update: each must end whole at version 1 or 2.
    const updatable = new Map<string, { user: string; before: string; after: string }>();
    for (const user of USERS) {
      for (let i = 0; i < 5; i++) {
        const before = contentFor(user, 10_000 + i);
        const note = expectData(await postGraphQL(first.url, CREATE, { input: { content: before } }, { token: tokens.get(user) })).createNote;
        updatable.set(note.id, { user, before, after: `updated:${before}` });
      }
    }

    const sent = new Map<string, string>();
    const ackedCreates = new Map<string, { user: string; content: string }>();
    const ackedUpdates = new Set<string>();
    let acks = 0;
    let counter = 0;
    let killed = false;
    const killedAt = new Promise<void>((resolve) => {
      const check = setInterval(() => {
        if (acks >= KILL_AFTER_ACKS) {
          clearInterval(check);
          killed = first.child.kill("SIGKILL");
          resolve();
        }
      }, 1);
    });
    const pendingUpdates = [...updatable.keys()];

    async function worker(w: number) {
      while (!killed) {
        const user = USERS[w % USERS.length]!;
        const token = tokens.get(user)!;
        const updateId = w % 3 === 0 ? pendingUpdates.pop() : undefined;
        try {
          if (updateId) {
            const target = updatable.get(updateId)!;
            const result = await postGraphQL(
              first.url,
              UPDATE,
              { input: { id: updateId, content: target.after, expectedVersion: 1 } },
              { token: tokens.get(target.user) },
            );
            if (result.json?.data?.updateNote?.version === 2) ackedUpdates.add(updateId);
          } else {
            const n = counter++;
            const content = contentFor(user, n);
            sent.set(content, user);
            const result = await postGraphQL(first.url, CREATE, { input: { content } }, { token });
            const note = result.json?.data?.createNote;
            if (note) ackedCreates.set(note.id, { user, content });
            else throw new Error(`create refused: ${result.text.slice(0, 200)}`);
          }
          acks++;
        } catch (error) {
          // Requests cut off by the kill fail at the socket; anything else is a real failure.
          if (!killed) throw error;
        }
      }
    }
    const lambdaWorkers = lambdaWorkerPids({ parent: first.child.pid! });
    await Promise.all([...Array.from({ length: WORKERS }, (_, w) => worker(w)), killedAt]);
    // Killed by a signal, a process that has already exited has a signalCode and no exitCode.
    await new Promise((resolve) => {
      first.child.once("exit", resolve);
      if (first.child.exitCode !== null || first.child.signalCode !== null) resolve(null);
    });
    expect(first.child.signalCode).toBe("SIGKILL");

    // No orphan: the Lambda workers lose their IPC channel and exit...
    expect(lambdaWorkers.length).toBeGreaterThan(0);
    await expect.poll(() => lambdaWorkers.filter(isRunning), { timeout: 15_000 }).toEqual([]);
    // ...and cognito-local notices its parent is gone (its stdin closes) and exits too.
    await expect
      .poll(() => fetch(`${first.cognitoEndpoint}/health`).then(() => "answering", () => "gone"), { timeout: 15_000 })
      .toBe("gone");
    const second = await startServer();
    try {
      const stored = new Map<string, StoredNote & { user: string }>();
      for (const user of USERS) {
        // Pages of 20: a DynamoDB Query stops at 1 MB, and larger pages of these notes would be cut short.
        for (const note of await allNotes(second.url, tokens.get(user)!, 20)) stored.set(note.id, { ...note, user });
      }

      // Every acknowledged create is there, whole, under its owner.
      for (const [id, { user, content }] of ackedCreates) {
        expect(stored.get(id)?.user).toBe(user);
        expect(stored.get(id)?.content).toBe(content);
      }
      // Every stored note is one that was sent, complete, with consistent metadata.
      const contents = new Set<string>();
      for (const note of stored.values()) {
        const update = updatable.get(note.id);
        if (update) {
          expect([`1:${update.before}`, `2:${update.after}`]).toContain(`${note.version}:${note.content}`);
          if (ackedUpdates.has(note.id)) expect(note.version).toBe(2);
          continue;
        }
        expect(sent.get(note.content)).toBe(note.user);
        expect(note.content.endsWith("#end")).toBe(true);
        expect(note.attachment).toBeNull();
        expect(note.version).toBe(1);
        expect(note.updatedAt).toBe(note.createdAt);
        contents.add(note.content);
      }
      expect(contents.size).toBe(stored.size - updatable.size);
      console.log(
        `SIGKILL after ${acks} acknowledged writes (${ackedCreates.size} creates, ${ackedUpdates.size} updates); ` +
          `${sent.size} creates sent, ${stored.size - updatable.size} stored after restart, all whole`,
      );
    } finally {
      second.child.kill("SIGTERM");
      await new Promise((resolve) => second.child.once("exit", resolve));
    }
  }, 120_000);
});
