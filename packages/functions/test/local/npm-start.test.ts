import { spawn, type ChildProcess } from "node:child_process";
import { readFileSync } from "node:fs";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { MAX_BODY_BYTES } from "../../src/http/limits.ts";
import { localUserToken } from "../../src/local/cognito.ts";
import { graphqlClient } from "../graphql-client.ts";
import { sendUntilRefused } from "../hardening/local-api.ts";
import { isRunning, lambdaWorkerPids } from "./processes.ts";

/**
 * `npm start` and `npm run token` as a new user runs them: the real entry points as child
 * processes, talked to over real HTTP, stopped with Ctrl-C and restarted on the same data.
 */
const repoRoot = fileURLToPath(new URL("../../../../", import.meta.url));
const READY = /Notes API ready in (\d+) ms: (http:\/\/\S+)/;

interface RunningServer {
  url: string;
  readyMs: number;
  wallMs: number;
  child: ChildProcess;
  output(): { stdout: string; stderr: string };
}

const children = new Set<ChildProcess>();

/** Kills a child we started and anything it started. */
function killGroup(child: ChildProcess, signal: NodeJS.Signals) {
  if (child.pid !== undefined && child.exitCode === null && child.signalCode === null) {
    try {
      process.kill(-child.pid, signal);
    } catch {
      // Already gone.
    }
  }
}

/**
 * The script's own process (node with tsx's loader, as `npm start` runs it, minus the npm and
 * tsx wrappers): a signal reaches the server itself, and the exit status is the server's own.
 */
function spawnScript(script: string, args: string[], env: Record<string, string>): ChildProcess {
  const child = spawn(process.execPath, ["--import", "tsx", join(repoRoot, script), ...args], {
    cwd: repoRoot,
    env: { ...process.env, ...env },
    stdio: ["ignore", "pipe", "pipe"],
    // Its own process group, as a terminal's foreground job: Ctrl-C goes to the whole group.
    detached: true,
  });
  children.add(child);
  child.once("exit", () => children.delete(child));
  return child;
}

function collect(child: ChildProcess) {
  let stdout = "";
  let stderr = "";
  child.stdout!.setEncoding("utf8").on("data", (chunk: string) => (stdout += chunk));
  child.stderr!.setEncoding("utf8").on("data", (chunk: string) => (stderr += chunk));
  return () => ({ stdout, stderr });
}

function exited(child: ChildProcess): Promise<{ code: number | null; signal: NodeJS.Signals | null }> {
  if (child.exitCode !== null || child.signalCode !== null) {
    return Promise.resolve({ code: child.exitCode, signal: child.signalCode });
  }
  return new Promise((resolve) => child.once("exit", (code, signal) => resolve({ code, signal })));
}

async function startServer(dataDir: string): Promise<RunningServer> {
  const started = performance.now();
  const child = spawnScript("packages/functions/src/local/main.ts", [], {
    PORT: "0",
    DATA_DIR: dataDir,
    LOG_LEVEL: "WARN",
  });
  const output = collect(child);
  const match = await new Promise<RegExpMatchArray>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no ready line in 30 s:\n${JSON.stringify(output())}`)), 30_000);
    child.stdout!.on("data", () => {
      const found = READY.exec(output().stdout);
      if (found) {
        clearTimeout(timer);
        resolve(found);
      }
    });
    child.once("exit", (code) => {
      clearTimeout(timer);
      reject(new Error(`server exited with ${code} before it was ready:\n${output().stderr}`));
    });
  });
  const wallMs = Math.round(performance.now() - started);
  return { url: match[2]!, readyMs: Number(match[1]), wallMs, child, output };
}

/** Ctrl-C in the terminal: SIGINT to the whole foreground process group. */
async function pressCtrlC(server: RunningServer) {
  const exit = exited(server.child);
  killGroup(server.child, "SIGINT");
  return { ...(await exit), ...server.output() };
}

function gql(url: string, query: string, variables?: Record<string, unknown>, token?: string) {
  return graphqlClient(url)(query, variables, { token });
}

/** A body fetch() sends chunked (no Content-Length), 64 KiB at a time. */
function streamOf(data: Buffer): ReadableStream<Uint8Array> {
  let offset = 0;
  return new ReadableStream({
    pull(controller) {
      if (offset >= data.length) return controller.close();
      controller.enqueue(data.subarray(offset, (offset += 65_536)));
    },
  });
}

function residentBytes(pid: number): number {
  const kilobytes = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, "utf8"))![1];
  return Number(kilobytes) * 1024;
}

const CREATE = "mutation($content: String!) { createNote(input: { content: $content }) { id content version } }";
const LIST = "{ notes(first: 100) { edges { node { id content version } } pageInfo { hasNextPage } } }";

describe("local server (npm start)", () => {
  let dataDir: string;
  const startupTimes: { readyMs: number; wallMs: number }[] = [];

  beforeAll(async () => {
    dataDir = await mkdtemp(join(tmpdir(), "notes-e2e-"));
  });
  afterAll(async () => {
    for (const child of children) {
      killGroup(child, "SIGKILL");
      await exited(child);
    }
    if (dataDir) await rm(dataDir, { recursive: true, force: true });
    if (startupTimes.length) console.log(`local server start-up: ${JSON.stringify(startupTimes)}`);
  });

  it("serves, persists across a Ctrl-C restart, and keeps users apart", async () => {
    const first = await startServer(dataDir);
    startupTimes.push({ readyMs: first.readyMs, wallMs: first.wallMs });
    expect(first.url).toMatch(/^http:\/\/localhost:\d+\/graphql$/);
    // The token command finds the running pool through DATA_DIR: the hint names this server's directory.
    expect(first.output().stdout).toContain(`Token:    DATA_DIR=${dataDir} npm run token -- <name>`);
    const cognitoEndpoint = /Cognito:  (http:\/\/\S+)/.exec(first.output().stdout)![1]!;
    expect((await fetch(`${cognitoEndpoint}/health`)).status).toBe(200);

    // `npm run token -- alice`: the token alone on stdout.
    const tokenRun = spawnScript("packages/functions/src/local/token.ts", ["alice"], { DATA_DIR: dataDir });
    const tokenOutput = collect(tokenRun);
    expect((await exited(tokenRun)).code).toBe(0);
    const { stdout: tokenStdout, stderr: tokenStderr } = tokenOutput();
    expect(tokenStdout).toMatch(/^[\w-]+\.[\w-]+\.[\w-]+\n$/);
    expect(tokenStderr).toBe("");
    const alice = tokenStdout.trim();
    const aliceSub = JSON.parse(Buffer.from(alice.split(".")[1]!, "base64url").toString()).sub;

    expect((await gql(first.url, "{ me { id } }", {}, alice)).body).toEqual({ data: { me: { id: aliceSub } } });
    const created = await gql(first.url, CREATE, { content: "survives a restart" }, alice);
    expect(created.status).toBe(200);
    const note = created.body.data.createNote;
    expect(note).toMatchObject({ content: "survives a restart", version: 1 });
    expect((await gql(first.url, LIST, {}, alice)).body.data.notes.edges).toEqual([{ node: note }]);

    const workers = lambdaWorkerPids({ group: first.child.pid! });
    expect(workers.length).toBeGreaterThan(0);
    const stopped = await pressCtrlC(first);
    expect(stopped).toMatchObject({ code: 0 });
    // The Lambda workers went with it.
    expect(workers.filter(isRunning)).toEqual([]);
    expect(stopped.stdout).toMatch(/Stopped \(SIGINT\)\.\n$/);
    // Node's own process warnings may appear on stderr; log lines at WARN or above may not.
    expect(stopped.stderr).not.toMatch(/"level":"(WARN|ERROR)"|\n\s+at /);
    await expect(fetch(first.url, { method: "POST" })).rejects.toThrow();
    // cognito-local went with it.
    await expect(fetch(`${cognitoEndpoint}/health`)).rejects.toThrow();

    // Another port for everything: alice's token, issued before the restart, still works.
    const second = await startServer(dataDir);
    startupTimes.push({ readyMs: second.readyMs, wallMs: second.wallMs });
    expect(/Cognito:  (http:\/\/\S+)/.exec(second.output().stdout)![1]).not.toBe(cognitoEndpoint);
    expect((await gql(second.url, LIST, {}, alice)).body).toEqual({
      data: { notes: { edges: [{ node: note }], pageInfo: { hasNextPage: false } } },
    });
    const bob = await localUserToken(dataDir, "bob");
    expect((await gql(second.url, LIST, {}, bob)).body.data.notes.edges).toEqual([]);
    const read = await gql(second.url, "query($id: ID!) { note(id: $id) { id } }", { id: note.id }, bob);
    expect(read.body).toEqual({ data: { note: null } });

    const html = await fetch(second.url, { headers: { accept: "text/html" } });
    expect(html.status).toBe(200);
    expect(html.headers.get("content-type")).toMatch(/^text\/html/);
    const page = await html.text();
    expect(page).toMatch(/graphiql/i);
    expect(page).toContain("Notes API (local)");
    // Offline: no script or stylesheet is fetched from a CDN.
    expect(page).not.toMatch(/<script[^>]+src=["']https?:/i);
    expect(page).not.toMatch(/<link[^>]+href=["']https?:/i);
    expect(page).not.toMatch(/unpkg\.com|jsdelivr|cdnjs/i);

    const stoppedAgain = await pressCtrlC(second);
    expect(stoppedAgain.code).toBe(0);
  }, 120_000);

  it("a second npm start on the same data or port says why in one line and exits 1; the first keeps serving", async () => {
    const first = await startServer(dataDir);
    const otherDir = await mkdtemp(join(tmpdir(), "notes-e2e-other-"));
    try {
      const attempts = {
        sameData: { PORT: "0", DATA_DIR: dataDir },
        samePort: { PORT: new URL(first.url).port, DATA_DIR: otherDir },
      };
      const results: Record<string, { code: number | null; stdout: string; stderr: string }> = {};
      for (const [name, env] of Object.entries(attempts)) {
        const run = spawnScript("packages/functions/src/local/main.ts", [], { ...env, LOG_LEVEL: "WARN" });
        const output = collect(run);
        results[name] = { code: (await exited(run)).code, ...output() };
      }
      for (const result of Object.values(results)) {
        expect(result.code).toBe(1);
        expect(result.stdout).toBe("");
        // No stack trace: Node's own warnings may be on stderr, but no "    at ..." frames.
        expect(result.stderr).not.toMatch(/\n\s+at /);
      }
      expect(results.sameData!.stderr).toContain(`Another process (another npm start?) is using the data in ${dataDir}.`);
      expect(results.sameData!.stderr).toContain("DATA_DIR=<another directory>");
      expect(results.samePort!.stderr).toContain(`Port ${new URL(first.url).port} on localhost is already in use`);
      expect(results.samePort!.stderr).toContain("PORT=<another port>");
      expect((await gql(first.url, "{ __typename }")).body).toEqual({ data: { __typename: "Query" } });
    } finally {
      expect((await pressCtrlC(first)).code).toBe(0);
      await rm(otherDir, { recursive: true, force: true });
    }
  }, 120_000);

  it("a bad PORT or an unusable DATA_DIR is one line on stderr and exit 1, for npm start and npm run token", async () => {
    const aFile = join(dataDir, "not-a-directory");
    await writeFile(aFile, "");
    const cases = [
      [{ PORT: "abc", DATA_DIR: dataDir }, 'Cannot start: PORT must be a port number, got "abc".\n'],
      [{ PORT: "0", DATA_DIR: join(aFile, "data") }, `Cannot open the data in ${join(aFile, "data")}: `],
    ] as const;
    for (const [env, message] of cases) {
      const run = spawnScript("packages/functions/src/local/main.ts", [], env);
      const output = collect(run);
      expect((await exited(run)).code).toBe(1);
      expect(output().stdout).toBe("");
      expect(output().stderr).toContain(message);
      expect(output().stderr).not.toMatch(/\n\s+at /);
    }
    const token = spawnScript("packages/functions/src/local/token.ts", ["alice"], { DATA_DIR: join(aFile, "data") });
    const tokenOutput = collect(token);
    expect((await exited(token)).code).toBe(1);
    expect(tokenOutput()).toEqual({ stdout: "", stderr: expect.stringMatching(/^Cannot get a token: ENOTDIR: .+\.\n$/) });
  });

  // fetch() (undici) writes its whole body before it reads: the 413 must outlive the upload.
  // The server runs in its own process here; in the test's process the race does not show.
  it("a fetch() client sending more than 1 MiB reads the 413; an endless sender is cut off", async () => {
    const server = await startServer(dataDir);
    try {
      // Over 1 MiB the function refuses it; over 10 MiB API Gateway does, without invoking it.
      const refusalOf = (megabytes: number) =>
        megabytes > 10
          ? { message: "Request Entity Too Large" }
          : { errors: [{ message: `Request body is larger than ${MAX_BODY_BYTES} bytes.`, extensions: { code: "PAYLOAD_TOO_LARGE" } }] };
      for (const megabytes of [3, 3, 3, 12, 12]) {
        const data = Buffer.alloc(megabytes * 1024 * 1024, "a");
        for (const body of [data, streamOf(data)]) {
          const response = await fetch(server.url, {
            method: "POST",
            headers: { "content-type": "application/json" },
            body,
            duplex: "half",
          } as RequestInit);
          expect(response.status).toBe(413);
          expect(await response.json()).toEqual(refusalOf(megabytes));
        }
      }

      const rssBefore = residentBytes(server.child.pid!);
      const sent = await sendUntilRefused(server.url, 200 * 1024 * 1024);
      // Read up to 10 MiB, then dropped up to 20 MiB after the 413, then cut off; the rest is socket buffers.
      expect(sent.bytes).toBeLessThan(48 * 1024 * 1024);
      if (sent.error !== undefined) expect(sent.error).toMatch(/ECONNRESET|EPIPE/);
      else expect(sent.status).toBe(413);
      expect(residentBytes(server.child.pid!) - rssBefore).toBeLessThan(64 * 1024 * 1024);
      expect((await gql(server.url, "{ __typename }")).body).toEqual({ data: { __typename: "Query" } });
    } finally {
      await pressCtrlC(server);
    }
  });

  it("npm run token without a running server says so in one line and exits 1", async () => {
    const idle = await mkdtemp(join(tmpdir(), "notes-e2e-idle-"));
    try {
      const token = spawnScript("packages/functions/src/local/token.ts", ["alice"], { DATA_DIR: idle });
      const output = collect(token);
      expect((await exited(token)).code).toBe(1);
      expect(output()).toEqual({
        stdout: "",
        stderr: `Cannot get a token: no local server is running on ${idle}. Start it first with npm start (same DATA_DIR).\n`,
      });
    } finally {
      await rm(idle, { recursive: true, force: true });
    }
  });

  it("npm run token without a usable name prints usage and exits 2", async () => {
    for (const args of [[], ["   "], ["x".repeat(65)], ["alice", "bob"], ["alice@example.com"], ["al ice"]]) {
      const run = spawnScript("packages/functions/src/local/token.ts", args, { DATA_DIR: dataDir });
      const output = collect(run);
      expect((await exited(run)).code, JSON.stringify(args)).toBe(2);
      expect(output()).toEqual({
        stdout: "",
        stderr: "Usage: npm run token -- <name>   (1 to 64 letters, digits or . _ + -; signs in as <name>@example.com)\n",
      });
    }
  });
});
