import { request } from "node:http";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { InvocationDetail, InvocationSummary, ItemsView, FileView, UserView } from "../../src/local/console/types.ts";
import { localUserToken } from "../../src/local/cognito.ts";
import { download, graphql, uploadFile } from "../attachment-client.ts";
import { CREATE, expectData } from "../hardening/local-api.ts";
import { npmStart, type NpmStart } from "../npm-start.ts";

/**
 * The console's data endpoints and the terminal, against `npm start` itself (the entry point as a
 * child process): what the API created is what the console shows, and only to its own page.
 */
// Metrics on, as npm start runs (the suite turns them off for in-process tests); INFO, readable lines.
const startConsoleServer = (env: Record<string, string>) =>
  npmStart({ PORT: "0", LOG_LEVEL: "INFO", LOG_FORMAT: "", POWERTOOLS_METRICS_DISABLED: "false", ...env });

async function getJson<T>(server: NpmStart, path: string): Promise<T> {
  const response = await fetch(`${server.origin}/console/api/${path}`);
  expect(response.status, path).toBe(200);
  return (await response.json()) as T;
}

async function postJson(server: NpmStart, path: string, body: unknown, headers: Record<string, string> = {}) {
  const response = await fetch(`${server.origin}/console/api/${path}`, {
    method: "POST",
    headers: { "content-type": "application/json", ...headers },
    body: JSON.stringify(body),
  });
  return { status: response.status, body: (await response.json()) as Record<string, any> };
}

/** A request with a Host header of our choosing (fetch does not let a caller set one). */
function rawGet(server: NpmStart, path: string, headers: Record<string, string>): Promise<{ status: number; body: string }> {
  const { hostname, port } = new URL(server.origin);
  return new Promise((resolve, reject) => {
    const req = request({ hostname, port, path, headers }, (res) => {
      let body = "";
      res.setEncoding("utf8").on("data", (chunk: string) => (body += chunk));
      res.once("end", () => resolve({ status: res.statusCode!, body }));
    });
    req.once("error", reject);
    req.end();
  });
}

/** Reads server-sent events from /console/api/events until `until` holds for one of them. */
async function readEvents(server: NpmStart, until: (event: any) => boolean, afterOpen: () => Promise<void>): Promise<any[]> {
  const controller = new AbortController();
  const response = await fetch(`${server.origin}/console/api/events`, { signal: controller.signal });
  expect(response.headers.get("content-type")).toBe("text/event-stream");
  const reader = response.body!.pipeThrough(new TextDecoderStream()).getReader();
  const events: any[] = [];
  let buffered = "";
  let opened = false;
  try {
    for (;;) {
      const { value, done } = await reader.read();
      if (done) throw new Error("the event stream ended");
      buffered += value;
      const messages = buffered.split("\n\n");
      buffered = messages.pop()!;
      for (const message of messages) {
        const data = message.split("\n").find((line) => line.startsWith("data: "));
        if (!data) continue;
        const event = JSON.parse(data.slice("data: ".length));
        events.push(event);
        if (!opened) {
          opened = true;
          await afterOpen();
        } else if (until(event)) return events;
      }
    }
  } finally {
    controller.abort();
  }
}

describe("the local console's data endpoints (npm start)", () => {
  let dataDir: string;
  let server: NpmStart;
  let token: string;
  let sub: string;

  beforeAll(async () => {
    dataDir = await mkdtemp(join(tmpdir(), "notes-console-"));
    server = await startConsoleServer({ DATA_DIR: dataDir });
    token = await localUserToken(dataDir, "carol");
    sub = JSON.parse(Buffer.from(token.split(".")[1]!, "base64url").toString()).sub;
  });

  afterAll(async () => {
    await server?.stop();
    if (dataDir) await rm(dataDir, { recursive: true, force: true });
  });

  it("names the console in the ready banner", () => {
    expect(server.stdout()).toContain(`  Console:  ${server.origin}/console`);
  });

  it("shows an invocation after a request: its summary, log line, metrics and request, never the token", async () => {
    const created = expectData(await graphql(server.url, token, CREATE, { input: { content: "from the console test" }, token }));
    const [latest] = await getJson<InvocationSummary[]>(server, "invocations");
    expect(latest).toMatchObject({ route: "POST /graphql", operation: "Create", status: 200, worker: 1 });
    const detail = await getJson<InvocationDetail>(server, `invocations/${latest!.requestId}`);
    const requestLine = detail.logLines.map((line) => JSON.parse(line)).find((line) => line.message === "graphql request");
    expect(requestLine).toMatchObject({ requestId: latest!.requestId, operationName: "Create", status: 200 });
    expect(detail.metrics.find((metric) => metric.name === "Requests")).toMatchObject({ unit: "Count", values: [1] });
    // The metric lines are read into `metrics`, not shown again as log lines.
    expect(detail.logLines.filter((line) => line.startsWith('{"_aws"'))).toEqual([]);
    expect(detail.request).toMatchObject({ document: CREATE, variables: { input: { content: "from the console test" }, token: "[redacted]" } });
    expect(JSON.stringify(detail)).not.toContain(token);
    expect(created.createNote.content).toBe("from the console test");
  });

  it("streams each new invocation live to the page", async () => {
    const events = await readEvents(
      server,
      (event) => event.type === "invocation" && event.invocation.operation === "Live",
      async () => void (await graphql(server.url, token, "query Live { me { id } }")),
    );
    expect(events[0].type).toBe("snapshot");
    expect(events[0].invocations.length).toBeGreaterThan(0);
    expect(events.at(-1).invocation).toMatchObject({ operation: "Live", status: 200 });
  });

  it("lists the notes the API wrote, by user, and the files with their note", async () => {
    const bytes = Buffer.from("hello, console");
    const uploadId = await uploadFile(server.url, token, { fileName: "hello.txt", contentType: "text/plain", bytes });
    const note = expectData(await graphql(server.url, token, CREATE, { input: { content: "with a file", attachmentUploadId: uploadId } })).createNote;
    const items = await getJson<ItemsView>(server, "items");
    const notes = items.notesByUser.find((entry) => entry.userId === sub)!.notes;
    expect(notes.map((n) => n.content)).toEqual(["with a file", "from the console test"]);
    expect(notes[0]).toMatchObject({ noteId: note.id, version: 1, attachment: { fileName: "hello.txt", contentType: "text/plain", size: bytes.length } });
    expect(items.pendingUploads).toEqual([expect.objectContaining({ ownerId: sub, state: "attached" })]);

    const files = await getJson<FileView[]>(server, "files");
    const file = files.find((f) => f.kind === "attachment")!;
    expect(file).toMatchObject({ key: notes[0]!.attachment!.key, size: bytes.length, contentType: "text/plain", noteId: note.id, userSegment: sub });
    const downloaded = await download(file.url);
    expect(downloaded.bytes.equals(bytes)).toBe(true);
    expect(downloaded.headers.get("content-disposition")).toContain("hello.txt");
  });

  it("lists the pool's users, creates one, and signs any confirmed one in for GraphiQL", async () => {
    const created = await postJson(server, "users", { email: "Dave@Example.com" });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ email: "dave@example.com", confirmed: true });
    expect((await postJson(server, "users", { email: "dave@example.com" })).body.error.code).toBe("USER_EXISTS");
    expect((await postJson(server, "users", { email: "not an email" })).body.error.code).toBe("BAD_USER_INPUT");

    const users = await getJson<UserView[]>(server, "users");
    expect(users.map((user) => [user.email, user.confirmed])).toEqual(
      expect.arrayContaining([["carol@example.com", true], ["dave@example.com", true]]),
    );
    for (const user of users.filter((u) => u.email === "carol@example.com" || u.email === "dave@example.com")) {
      const { body } = await postJson(server, "token", { username: user.username });
      const me = expectData(await graphql(server.url, body.accessToken, "{ me { id } }"));
      expect(me.me.id).toBe(user.sub);
    }
    // Carol's own sign-in (npm run token's password) still works: the console changed no password.
    expect(await localUserToken(dataDir, "carol")).toMatch(/^eyJ/);
    expect((await postJson(server, "token", { username: "nobody" })).status).toBe(404);
  });

  it("answers only its own Host, and refuses cross-origin requests, SSE and POSTs included", async () => {
    const port = new URL(server.origin).port;
    for (const path of ["/console", "/console/api/users", "/console/api/events"]) {
      const foreign = await rawGet(server, path, { host: `rebound.example:${port}` });
      expect(foreign.status, path).toBe(403);
      expect(JSON.parse(foreign.body).error.code).toBe("FOREIGN_HOST");
      const crossOrigin = await rawGet(server, path, { host: `localhost:${port}`, origin: "http://evil.example" });
      expect(crossOrigin.status, path).toBe(403);
      expect(JSON.parse(crossOrigin.body).error.code).toBe("CROSS_ORIGIN");
    }
    const post = await postJson(server, "users", { email: "mallory@example.com" }, { origin: "http://evil.example" });
    expect(post.status).toBe(403);
    expect((await getJson<UserView[]>(server, "users")).some((user) => user.email === "mallory@example.com")).toBe(false);
    expect((await rawGet(server, "/console/api/users", { host: `localhost:${port}`, origin: `http://localhost:${port}` })).status).toBe(200);
  });

  it("prints one readable line per request, no JSON and no metric lines", async () => {
    await graphql(server.url, token, "query Printed { me { id } }");
    await expect.poll(() => /^\d\d:\d\d:\d\d Printed 200 [\d.]+ ms warm$/m.test(server.stdout())).toBe(true);
    expect(server.stdout()).toMatch(/^\d\d:\d\d:\d\d Create 200 [\d.]+ ms cold$/m);
    expect(server.stdout()).not.toContain('{"_aws"');
    expect(server.stdout()).not.toContain('"graphql request"');
  });

  it("with LOG_FORMAT=json prints the Lambda's own lines instead", async () => {
    await server.stop();
    server = await startConsoleServer({ DATA_DIR: dataDir, LOG_FORMAT: "json" });
    const response = await fetch(server.url, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ query: "query Raw { me { id } }" }),
    });
    const requestId = response.headers.get("x-request-id")!;
    const requestLine = () =>
      server
        .stdout()
        .split("\n")
        .filter((line) => line.startsWith("{"))
        .map((line) => JSON.parse(line))
        .find((line) => line.requestId === requestId);
    await expect.poll(requestLine).toMatchObject({ level: "INFO", message: "graphql request", operationName: "Raw", status: 200 });
    await expect.poll(() => server.stdout()).toMatch(/^\{"_aws":\{"Timestamp":\d+,"CloudWatchMetrics":/m);
    expect(server.stdout()).not.toMatch(/^\d\d:\d\d:\d\d Raw /m);
  });
});
