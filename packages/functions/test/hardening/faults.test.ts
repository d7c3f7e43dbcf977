import { createServer as createHttpServer, type Server as HttpServer } from "node:http";
import { mkdtemp, rm } from "node:fs/promises";
import { createServer as createTcpServer, type AddressInfo, type Socket } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { configureDynamo } from "@notes/core/dynamo";
import { ensureNotesTable, startEmbeddedDynamo, type EmbeddedDynamo } from "@notes/core/embedded-dynamo";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createNotesYoga, type NotesYogaOptions } from "../../src/graphql/yoga.ts";
import { createNodeListener } from "../../src/http/node.ts";
import { captureLogs } from "../../src/log.ts";
import { createTestYoga } from "../harness.ts";
import { createTestIssuer, type TestIssuer } from "../test-issuer.ts";
import { CREATE, LIST, allNotes, leaksIn, postGraphQL, type HttpResult } from "./local-api.ts";

/**
 * DynamoDB faults under the real HTTP path: an embedded dynalite (on disk) that the test stops and
 * restarts on the same port, a database that accepts connections and never answers, and one that
 * throttles every call. Requests must fail fast with the masked error and recover by themselves.
 */
const TABLE = "notes";
let dataDir: string;
let dbPath: string;
let db: EmbeddedDynamo;
let api: { url: string; close(): Promise<void> };
let token: string;
let issuer: TestIssuer;
const logLines: Record<string, unknown>[] = [];
let restoreLogs: () => void;

async function serve(options: Partial<NotesYogaOptions> = {}) {
  const yoga = createTestYoga(issuer, options);
  const server = createHttpServer(createNodeListener(yoga));
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/graphql`,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

beforeAll(async () => {
  restoreLogs = captureLogs((line) => logLines.push(JSON.parse(line)), "INFO");
  dataDir = await mkdtemp(join(tmpdir(), "notes-faults-"));
  dbPath = join(dataDir, "dynamodb");
  db = await startEmbeddedDynamo({ path: dbPath });
  await ensureNotesTable(db.endpoint, TABLE);
  configureDynamo({ tableName: TABLE, endpoint: db.endpoint });
  issuer = await createTestIssuer();
  api = await serve();
  token = await issuer.token("fault-user");
});
afterAll(async () => {
  await api?.close();
  await issuer?.close();
  await db?.close();
  restoreLogs?.();
  await rm(dataDir, { recursive: true, force: true });
});

/** The one masked shape a client sees of any database fault: code, fixed message, nothing else. */
function expectMasked(result: HttpResult) {
  expect(result.status, result.text).toBe(200);
  expect(result.json.data).toBeNull();
  expect(result.json.errors).toHaveLength(1);
  const [error] = result.json.errors;
  expect(error.message).toBe("Unexpected error.");
  expect(error.extensions).toEqual({ code: "INTERNAL_SERVER_ERROR" });
  expect(leaksIn(result.text)).toEqual([]);
}

function faultsLogged(since: number) {
  return logLines.slice(since).filter((line) => line.message === "unexpected error").map((line) => line.fault);
}

describe("DynamoDB stopped mid-run and restarted on the same port", () => {
  it("answers with the masked error while it is down, recovers, and loses or duplicates no note", async () => {
    const acked = new Map<string, string>();
    const sent = new Set<string>();
    let next = 0;
    async function create() {
      const content = `fault-note-${next++}`;
      sent.add(content);
      const result = await postGraphQL(api.url, CREATE, { input: { content } }, { token });
      const note = result.json?.data?.createNote;
      if (note) acked.set(note.id, content);
      return result;
    }

    for (let i = 0; i < 20; i++) expect((await create()).json.data.createNote).toBeTruthy();

    // A burst in flight while the database goes away: some done, some mid-write, some not sent.
    let settled = 0;
    const burst = Array.from({ length: 60 }, () => create().finally(() => settled++));
    while (settled < 10) await new Promise((resolve) => setImmediate(resolve));
    const port = db.port;
    const logMark = logLines.length;
    await db.close();
    const burstResults = await Promise.all(burst);
    for (const result of burstResults) {
      if (!result.json.data?.createNote) expectMasked(result);
    }

    for (let i = 0; i < 10; i++) {
      expectMasked(await (i % 2 ? create() : postGraphQL(api.url, LIST, { first: 5 }, { token })));
    }
    expect(faultsLogged(logMark)).toContain("unreachable");
    expect(faultsLogged(logMark).every((fault) => fault === "unreachable")).toBe(true);

    db = await startEmbeddedDynamo({ path: dbPath, port });
    // The SDK's pooled connections to the stopped database may fail a first request each.
    let recovered = false;
    for (let attempt = 0; attempt < 10 && !recovered; attempt++) {
      recovered = !(await postGraphQL(api.url, LIST, { first: 1 }, { token })).json.errors;
    }
    expect(recovered).toBe(true);

    for (let i = 0; i < 20; i++) expect((await create()).json.data.createNote).toBeTruthy();

    const stored = await allNotes(api.url, token);
    const storedIds = stored.map((note) => note.id);
    const storedContents = stored.map((note) => note.content);
    expect(new Set(storedIds).size).toBe(stored.length);
    expect(new Set(storedContents).size).toBe(stored.length);
    for (const [id, content] of acked) expect(stored).toContainEqual(expect.objectContaining({ id, content }));
    for (const note of stored) {
      expect(sent.has(note.content)).toBe(true);
      expect(note.version).toBe(1);
      expect(note.createdAt).toBe(note.updatedAt);
    }
  });
});

describe("a database that accepts connections and never answers", () => {
  let silent: { endpoint: string; close(): Promise<void> };

  beforeAll(async () => {
    const sockets = new Set<Socket>();
    const server = createTcpServer((socket) => {
      sockets.add(socket);
      socket.on("error", () => {});
      socket.on("close", () => sockets.delete(socket));
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    silent = {
      endpoint: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
      close: () =>
        new Promise<void>((resolve) => {
          for (const socket of sockets) socket.destroy();
          server.close(() => resolve());
        }),
    };
  });
  afterAll(async () => {
    configureDynamo({ tableName: TABLE, endpoint: db.endpoint });
    await silent?.close();
  });

  it("is masked once the SDK's bounded retries give up, before the execution timeout", async () => {
    configureDynamo({ tableName: TABLE, endpoint: silent.endpoint });
    const logMark = logLines.length;
    expectMasked(await postGraphQL(api.url, LIST, { first: 5 }, { token }));
    // The SDK's 3 attempts × 2 s timed out first (its fault is logged), not the 8 s execution timeout.
    expect(faultsLogged(logMark)).toEqual(["timeout"]);
    expect(logLines.slice(logMark)).not.toContainEqual(expect.objectContaining({ message: "execution timed out" }));
  }, 15_000);

  it("is cut off by the execution timeout when that is shorter", async () => {
    configureDynamo({ tableName: TABLE, endpoint: silent.endpoint });
    const short = await serve({ executionTimeoutMs: 500 });
    try {
      const logMark = logLines.length;
      expectMasked(await postGraphQL(short.url, LIST, { first: 5 }, { token }));
      expect(logLines.slice(logMark)).toContainEqual(
        expect.objectContaining({ message: "execution timed out", timeoutMs: 500 }),
      );
    } finally {
      await short.close();
    }
  });

  it("serves again as soon as the database answers", async () => {
    configureDynamo({ tableName: TABLE, endpoint: db.endpoint });
    const result = await postGraphQL(api.url, LIST, { first: 1 }, { token });
    expect(result.json.errors).toBeUndefined();
  });
});

describe("a database that throttles every call", () => {
  let throttler: HttpServer;
  let calls = 0;

  beforeAll(async () => {
    throttler = createHttpServer((req, res) => {
      calls++;
      req.resume();
      req.on("end", () => {
        res.writeHead(400, {
          "content-type": "application/x-amz-json-1.0",
          "x-amzn-requestid": `throttled-${calls}`,
        });
        res.end(
          JSON.stringify({
            __type: "com.amazonaws.dynamodb.v20120810#ProvisionedThroughputExceededException",
            message: "The level of configured provisioned throughput for the table was exceeded.",
          }),
        );
      });
    });
    await new Promise<void>((resolve) => throttler.listen(0, "127.0.0.1", resolve));
  });
  afterAll(async () => {
    configureDynamo({ tableName: TABLE, endpoint: db.endpoint });
    throttler.closeAllConnections();
    await new Promise((resolve) => throttler.close(resolve));
  });

  it("retries a bounded number of times, then masks the error", async () => {
    configureDynamo({
      tableName: TABLE,
      endpoint: `http://127.0.0.1:${(throttler.address() as AddressInfo).port}`,
    });
    calls = 0;
    const logMark = logLines.length;
    expectMasked(await postGraphQL(api.url, CREATE, { input: { content: "throttled" } }, { token }));
    expect(calls).toBe(3);
    expect(faultsLogged(logMark)).toEqual(["throttled"]);
  });
});
