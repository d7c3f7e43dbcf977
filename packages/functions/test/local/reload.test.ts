import { cp, mkdir, mkdtemp, readFile, rm, symlink, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Invocation } from "../../src/local/invocation.ts";
import { startLocalServer, type LocalServer } from "../../src/local/server.ts";

/**
 * npm run dev on a copy of the function's sources (inside the checkout, so its packages resolve):
 * a save rebuilds and the next request runs the new code; a build error keeps the last good bundle.
 */
const ROOT = fileURLToPath(new URL("../../../../", import.meta.url));
let copy: string;
let dataDir: string;
let server: LocalServer;
const notices: string[] = [];
const noticeWaiters: (() => void)[] = [];
const invocations: Invocation[] = [];

/** Resolves at the next build notice that matches. */
function nextNotice(pattern: RegExp): Promise<string> {
  const from = notices.length;
  return new Promise((resolve) => {
    const check = () => {
      const found = notices.slice(from).find((notice) => pattern.test(notice));
      if (found) resolve(found);
      else noticeWaiters.push(check);
    };
    check();
  });
}

beforeAll(async () => {
  await mkdir(path.join(ROOT, ".sst"), { recursive: true });
  copy = await mkdtemp(path.join(ROOT, ".sst", "reload-test-"));
  await cp(path.join(ROOT, "packages", "functions", "src"), path.join(copy, "src"), { recursive: true });
  // The package's own dependencies (those npm did not hoist) resolve from the copy as from the original.
  await symlink(path.join(ROOT, "packages", "functions", "node_modules"), path.join(copy, "node_modules"));
  dataDir = await mkdtemp(path.join(tmpdir(), "notes-reload-"));
  server = await startLocalServer(
    { dataDir, port: 0, host: "127.0.0.1", tableName: "notes", bucketName: "notes-attachments", watch: true },
    {
      functionsSource: path.join(copy, "src"),
      onLambdaLine: () => {},
      onInvocation: (invocation) => invocations.push(invocation),
      onLambdaNotice: (notice) => {
        notices.push(notice);
        for (const check of noticeWaiters.splice(0)) check();
      },
    },
  );
}, 120_000);
afterAll(async () => {
  await server?.close();
  await rm(copy, { recursive: true, force: true });
  await rm(dataDir, { recursive: true, force: true });
});

const query = () =>
  fetch(server.url, { method: "POST", headers: { "content-type": "application/json" }, body: '{"query":"{ __typename }"}' });

describe("npm run dev", () => {
  it("runs the code saved last on a fresh worker, and keeps the last good bundle through a syntax error", async () => {
    const before = await query();
    expect([before.status, before.headers.get("x-reloaded")]).toEqual([200, null]);
    const firstWorker = invocations.at(-1)!.worker;

    const entry = path.join(copy, "src", "lambda.ts");
    const source = await readFile(entry, "utf8");
    const edited = source.replace(
      "const handleHttp = createLambdaHandler(yoga);",
      `const served = createLambdaHandler(yoga);
const handleHttp: typeof served = async (event, context) => {
  const result = await served(event, context);
  return { ...result, headers: { ...result.headers, "x-reloaded": "yes" } };
};`,
    );
    expect(edited).not.toBe(source);
    const rebuilt = nextNotice(/rebuilt/);
    await writeFile(entry, edited);
    await rebuilt;
    const after = await query();
    expect([after.status, after.headers.get("x-reloaded")]).toEqual([200, "yes"]);
    const reloaded = invocations.at(-1)!;
    expect(reloaded.worker).not.toBe(firstWorker);
    expect(reloaded.cold).toBe(true);

    const failed = nextNotice(/build failed/);
    await writeFile(entry, `${edited}\nexport const broken = (;\n`);
    expect(await failed).toMatch(/lambda\.ts:\d+:\d+: /);
    const still = await query();
    expect([still.status, still.headers.get("x-reloaded")]).toEqual([200, "yes"]);
  });
});
