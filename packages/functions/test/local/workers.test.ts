import { mkdir, mkdtemp, readdir, rm } from "node:fs/promises";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createHttpApi } from "../../src/local/api-gateway.ts";
import { createLocalHttpServer } from "../../src/local/http-server.ts";
import { removeStaleRuns } from "../../src/local/lambda-build.ts";
import type { Invocation } from "../../src/local/invocation.ts";
import { WorkerPool } from "../../src/local/workers.ts";

/** The pool and the gateway with a small handler that hangs, crashes or throws when asked. */
const lines: string[] = [];
const invocations: Invocation[] = [];
const HANDLER_DIR = fileURLToPath(new URL("./handler", import.meta.url));
const ENV = {
  PATH: process.env.PATH ?? "",
  AWS_REGION: "us-east-1",
  AWS_LAMBDA_FUNCTION_NAME: "pool-test",
  AWS_LAMBDA_FUNCTION_VERSION: "$LATEST",
  AWS_LAMBDA_FUNCTION_MEMORY_SIZE: "1024",
  AWS_LAMBDA_LOG_GROUP_NAME: "/aws/lambda/pool-test",
};
const pool = new WorkerPool({
  node: process.execPath,
  nodeArgs: [],
  env: ENV,
  taskRoot: HANDLER_DIR,
  handler: "index.handler",
  concurrency: 4,
  // Long enough for any busy machine to answer, short enough for the hung invocation to end.
  timeoutMs: 3_000,
  onLine: (line) => lines.push(line),
});
const server = createLocalHttpServer(createHttpApi({ run: (event, id) => pool.run(event, id), onInvocation: (i) => invocations.push(i) }));
let url = "";
beforeAll(async () => {
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/graphql`;
});
afterAll(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
  await pool.close();
});

const post = (body: unknown) =>
  fetch(url, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(body) });

describe("Lambda-like workers behind the local API Gateway", () => {
  it("gives the handler a Lambda context and reuses a warm worker; the first invocation is cold", async () => {
    const first = await post({});
    const requestId = first.headers.get("apigw-requestid")!;
    const answer = await first.json();
    expect(answer.context).toEqual({
      awsRequestId: requestId,
      functionName: "pool-test",
      memoryLimitInMB: "1024",
      invokedFunctionArn: "arn:aws:lambda:us-east-1:000000000000:function:pool-test",
      logGroupName: "/aws/lambda/pool-test",
    });
    expect(answer.remainingMs).toBeGreaterThan(0);
    const second = await (await post({})).json();
    expect(second.pid).toBe(answer.pid);
    const [a, b] = invocations.slice(-2);
    expect([a!.cold, b!.cold, a!.worker === b!.worker]).toEqual([true, false, true]);
    expect(a!.logLines).toEqual([JSON.stringify({ message: "invoked", requestId, invocations: answer.invocations })]);
    expect(lines).toContain(a!.logLines[0]);
  });

  it("starts more workers for concurrent requests, one request at a time each, up to the cap", async () => {
    const answers = await Promise.all(Array.from({ length: 8 }, () => post({ waitFor: 200 }).then((r) => r.json())));
    const pids = new Set(answers.map((answer) => answer.pid));
    expect(pids.size).toBeGreaterThan(1);
    expect(pids.size).toBeLessThanOrEqual(4);
  });

  it("answers 502 when the worker dies mid-request, replaces it, and serves the next request", async () => {
    const crashed = await post({ crash: true });
    expect([crashed.status, await crashed.json()]).toEqual([502, { message: "Internal Server Error" }]);
    expect(crashed.headers.get("apigw-requestid")).toBeTruthy();
    expect((await post({})).status).toBe(200);
  });

  it("answers 502 when the handler throws, and the worker keeps serving", async () => {
    const threw = await post({ throw: true });
    expect([threw.status, await threw.json()]).toEqual([502, { message: "Internal Server Error" }]);
    expect((await post({})).status).toBe(200);
  });

  it("answers 503 when an invocation outlives the timeout, and replaces the worker", async () => {
    const hung = await post({ hang: true });
    expect([hung.status, await hung.json()]).toEqual([503, { message: "Service Unavailable" }]);
    expect((await post({})).status).toBe(200);
  });

  it("answers routes it does not have with 404 and payloads over 10 MB with 413, without invoking", async () => {
    const before = invocations.length;
    const notFound = await fetch(url.replace(/graphql$/, "other"), { method: "POST", body: "{}" });
    expect([notFound.status, await notFound.json()]).toEqual([404, { message: "Not Found" }]);
    const tooLarge = await fetch(url, { method: "POST", body: Buffer.alloc(10 * 1024 * 1024 + 1, "a") });
    expect([tooLarge.status, await tooLarge.json()]).toEqual([413, { message: "Request Entity Too Large" }]);
    expect(invocations.length).toBe(before);
  });
});

describe("the bundle folders of npm run dev", () => {
  it("reports a replaced bundle's folder once its last worker has exited, not before", async () => {
    const unused: string[] = [];
    let reported: () => void = () => {};
    const reportedOnce = new Promise<void>((resolve) => (reported = resolve));
    // Two names of the same folder stand for two builds.
    const second = `${HANDLER_DIR}${path.sep}.`;
    const reloading = new WorkerPool({
      node: process.execPath,
      nodeArgs: [],
      env: ENV,
      taskRoot: HANDLER_DIR,
      handler: "index.handler",
      concurrency: 1,
      timeoutMs: 3_000,
      onLine: () => {},
      onUnused: (taskRoot) => {
        unused.push(taskRoot);
        reported();
      },
    });
    try {
      await reloading.invoke({ body: "{}" });
      reloading.reload(second);
      await reportedOnce;
      expect(unused).toEqual([HANDLER_DIR]);
      await reloading.invoke({ body: "{}" });
      expect(unused).toEqual([HANDLER_DIR]);
    } finally {
      await reloading.close();
    }
    expect(unused).toEqual([HANDLER_DIR]);
  });

  it("removes the run folders of servers that are gone and keeps those of running ones", async () => {
    const runs = await mkdtemp(path.join(tmpdir(), "notes-runs-"));
    try {
      // Past Linux's largest pid: no process has it.
      for (const name of [`run-${process.pid}-live`, "run-4194305-gone", "run-old"]) await mkdir(path.join(runs, name, "gen-1"), { recursive: true });
      await removeStaleRuns(runs);
      expect(await readdir(runs)).toEqual([`run-${process.pid}-live`]);
    } finally {
      await rm(runs, { recursive: true, force: true });
    }
  });
});
