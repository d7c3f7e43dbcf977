import { AsyncLocalStorage } from "node:async_hooks";
import type { IncomingMessage, ServerResponse } from "node:http";
import type { Invocation } from "./invocation.ts";

/**
 * STAND-IN, replaced by the local API Gateway: while the API still runs inside the local server's
 * process (http/node.ts), this makes one Invocation per API request, with the log lines written
 * during it (routeLogLines takes them from the process's output), for the console and the
 * terminal. The gateway reports its workers' invocations through the same onInvocation hook.
 */
type Listener = (req: IncomingMessage, res: ServerResponse) => Promise<void> | void;

const current = new AsyncLocalStorage<string[]>();
let invocations = 0;

export function withInvocationRecording(api: Listener, onInvocation: (inv: Invocation) => void): Listener {
  return (req, res) => {
    const startedAt = new Date();
    const started = performance.now();
    const logLines: string[] = [];
    const body: Buffer[] = [];
    let size = 0;
    req.on("data", (chunk: Buffer) => {
      size += chunk.length;
      if (size <= 64 * 1024) body.push(chunk);
    });
    const cold = invocations++ === 0;
    res.once("finish", () => {
      const path = (req.url ?? "/").split("?", 1)[0];
      const requestLine = logLines.map(parseJson).find((line) => line?.message === "graphql request");
      onInvocation({
        requestId: typeof requestLine?.requestId === "string" ? requestLine.requestId : String(res.getHeader("x-request-id") ?? ""),
        startedAt: startedAt.toISOString(),
        route: `${req.method} ${path}`,
        operation: typeof requestLine?.operationName === "string" ? requestLine.operationName : undefined,
        status: res.statusCode,
        durationMs: Math.round((performance.now() - started) * 100) / 100,
        cold,
        worker: 1,
        request: graphqlParams(req, size <= 64 * 1024 ? Buffer.concat(body).toString("utf8") : ""),
        logLines,
      });
    });
    return current.run(logLines, () => api(req, res));
  };
}

type Output = { write(text: string): unknown };

/**
 * Takes the JSON lines (Powertools' log and EMF lines) the process writes to stdout and stderr:
 * those written while an API request runs join its invocation, the others go to `outside`; any
 * other output passes. Returns writers to the real streams, for whoever prints the lines.
 */
export function routeLogLines(outside: (line: string) => void): { stdout: Output; stderr: Output } {
  const writers = [process.stdout, process.stderr].map((stream) => {
    const write = stream.write.bind(stream) as (text: string) => boolean;
    stream.write = function (chunk: unknown, ...rest: unknown[]) {
      const text = typeof chunk === "string" ? chunk : Buffer.from(chunk as Uint8Array).toString();
      const passed: string[] = [];
      for (const line of text.split("\n")) {
        if (!line.startsWith("{")) {
          if (line !== "") passed.push(line);
        } else if (current.getStore()) current.getStore()!.push(line);
        else outside(line);
      }
      if (passed.length > 0) return (write as (...args: unknown[]) => boolean)(`${passed.join("\n")}\n`, ...rest);
      (rest.find((arg) => typeof arg === "function") as (() => void) | undefined)?.();
      return true;
    } as typeof stream.write;
    return { write };
  });
  return { stdout: writers[0]!, stderr: writers[1]! };
}

function parseJson(text: string): Record<string, unknown> | undefined {
  try {
    const parsed = JSON.parse(text) as unknown;
    return parsed !== null && typeof parsed === "object" && !Array.isArray(parsed) ? (parsed as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

function graphqlParams(req: IncomingMessage, body: string): Invocation["request"] {
  const query = new URL(req.url ?? "/", "http://localhost").searchParams;
  const params = req.method === "GET" ? Object.fromEntries(query) : (parseJson(body) ?? {});
  const variables = typeof params.variables === "string" ? (parseJson(params.variables) ?? params.variables) : params.variables;
  const extensions = typeof params.extensions === "string" ? parseJson(params.extensions) : (params.extensions as Record<string, unknown> | undefined);
  const hash = (extensions?.persistedQuery as { sha256Hash?: unknown } | undefined)?.sha256Hash;
  const request = {
    document: typeof params.query === "string" ? params.query : undefined,
    variables,
    operationName: typeof params.operationName === "string" ? params.operationName : undefined,
    persistedQueryHash: typeof hash === "string" ? hash : undefined,
  };
  return Object.values(request).some((value) => value !== undefined) ? request : undefined;
}
