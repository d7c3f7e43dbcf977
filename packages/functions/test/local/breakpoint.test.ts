import { readFile, mkdtemp, rm } from "node:fs/promises";
import { createServer, type AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { GREATEST_LOWER_BOUND, LEAST_UPPER_BOUND, TraceMap, generatedPositionFor, originalPositionFor } from "@jridgewell/trace-mapping";
import WebSocket from "ws";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { localUserToken } from "../../src/local/cognito.ts";
import { startLocalServer, type LocalServer } from "../../src/local/server.ts";

/**
 * LAMBDA_INSPECT, driven as a debugger drives it: the Chrome DevTools protocol over the worker's
 * inspector socket, a breakpoint set through the bundle's source map on a line of the domain's
 * TypeScript, a createNote that pauses there, a local read in that frame, and the request completing.
 */
const NOTE_SOURCE = fileURLToPath(new URL("../../../core/src/note.ts", import.meta.url));
let dataDir: string;
let server: LocalServer;
let inspectPort: number;

beforeAll(async () => {
  inspectPort = await freePort();
  dataDir = await mkdtemp(path.join(tmpdir(), "notes-inspect-"));
  server = await startLocalServer(
    { dataDir, port: 0, host: "127.0.0.1", tableName: "notes", bucketName: "notes-attachments", lambdaInspectPort: inspectPort },
    { onLambdaLine: () => {} },
  );
}, 120_000);
afterAll(async () => {
  await server?.close();
  await rm(dataDir, { recursive: true, force: true });
});

function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const probe = createServer().listen(0, "127.0.0.1", () => {
      const { port } = probe.address() as AddressInfo;
      probe.close(() => resolve(port));
    });
  });
}

/** A minimal DevTools protocol client: commands by id, events by name. */
async function connectInspector(port: number) {
  const [target] = (await (await fetch(`http://127.0.0.1:${port}/json/list`)).json()) as { webSocketDebuggerUrl: string }[];
  const socket = new WebSocket(target!.webSocketDebuggerUrl);
  await new Promise((resolve, reject) => socket.once("open", resolve).once("error", reject));
  let nextId = 0;
  const replies = new Map<number, (message: any) => void>();
  const listeners: ((message: any) => void)[] = [];
  socket.on("message", (data) => {
    const message = JSON.parse(String(data));
    if (message.id !== undefined) replies.get(message.id)?.(message);
    else for (const listener of listeners) listener(message);
  });
  return {
    send(method: string, params: object = {}): Promise<any> {
      const id = ++nextId;
      return new Promise((resolve, reject) => {
        replies.set(id, (message) => (message.error ? reject(new Error(message.error.message)) : resolve(message.result)));
        socket.send(JSON.stringify({ id, method, params }));
      });
    },
    on(method: string, listener: (params: any) => void) {
      listeners.push((message) => message.method === method && listener(message.params));
    },
    next(method: string): Promise<any> {
      return new Promise((resolve) => listeners.push((message) => message.method === method && resolve(message.params)));
    },
    close: () => socket.close(),
  };
}

describe("LAMBDA_INSPECT", () => {
  it("pauses createNote at a breakpoint set on a line of packages/core/src/note.ts, shows its locals, and completes the request", async () => {
    const token = await localUserToken(dataDir, "debugger");
    const createNote = () =>
      fetch(server.url, {
        method: "POST",
        headers: { "content-type": "application/json", authorization: `Bearer ${token}` },
        body: JSON.stringify({ query: "mutation($c: String!) { createNote(input: { content: $c }) { content version } }", variables: { c: "paused here" } }),
      });
    // The worker starts with the first request, as a Lambda environment does.
    expect((await createNote()).status).toBe(200);

    const inspector = await connectInspector(inspectPort);
    const scripts: { scriptId: string; url: string }[] = [];
    inspector.on("Debugger.scriptParsed", (script) => {
      if (script.url.includes("/.sst/local-lambda/") && script.url.endsWith(".mjs")) scripts.push(script);
    });
    await inspector.send("Debugger.enable");

    // The line of create() that writes the note.
    const tsLine = (await readFile(NOTE_SOURCE, "utf8")).split("\n").findIndex((line) => line.includes("await dynamo.put({ Item: item")) + 1;
    expect(tsLine).toBeGreaterThan(0);
    const maps = await Promise.all(
      scripts.map(async (script) => ({ script, map: new TraceMap(await readFile(`${fileURLToPath(script.url)}.map`, "utf8")) })),
    );
    const placed = maps
      .map(({ script, map }) => {
        const source = map.sources.find((candidate) => candidate?.endsWith("packages/core/src/note.ts"));
        if (!source) return null;
        const position = generatedPositionFor(map, { source, line: tsLine, column: 0, bias: LEAST_UPPER_BOUND });
        return position.line === null ? null : { script, map, position };
      })
      .find(Boolean);
    expect(placed, "no bundle file maps note.ts").toBeTruthy();
    const { script, map, position } = placed!;
    await inspector.send("Debugger.setBreakpointByUrl", { url: script.url, lineNumber: position.line - 1, columnNumber: position.column });

    const paused = inspector.next("Debugger.paused");
    const response = createNote();
    const { callFrames } = await paused;
    const top = callFrames[0];
    expect(top.location.scriptId).toBe(script.scriptId);
    const original = originalPositionFor(map, { line: top.location.lineNumber + 1, column: top.location.columnNumber, bias: GREATEST_LOWER_BOUND });
    expect([original.source?.endsWith("packages/core/src/note.ts"), original.line]).toEqual([true, tsLine]);
    const { result } = await inspector.send("Debugger.evaluateOnCallFrame", { callFrameId: top.callFrameId, expression: "item.content" });
    expect(result.value).toBe("paused here");

    await inspector.send("Debugger.resume");
    const answered = await response;
    expect(await answered.json()).toEqual({ data: { createNote: { content: "paused here", version: 1 } } });
    inspector.close();
  });
});
