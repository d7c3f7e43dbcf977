import type { IncomingMessage, ServerResponse } from "node:http";
import { fileURLToPath } from "node:url";
import { readBodyUpTo, requestPath } from "../../http/body.ts";
import { log } from "../../log.ts";
import type { Invocation } from "../invocation.ts";
import { withLocalWebRoutes } from "../web-routes.ts";
import { listFiles } from "./files.ts";
import { consoleRefusal } from "./guard.ts";
import { CONSOLE_MARKER } from "./marker.ts";
import { InvocationStore } from "./invocation-store.ts";
import { listItems } from "./items.ts";
import type { ConsoleEvent, ItemsView } from "./types.ts";
import { ConsoleUserError, createUser, listUsers, userAccessToken, type PoolAccess } from "./users.ts";

/**
 * `/console` on the local server: the page (packages/web/console, built into dist-console) and its
 * data endpoints under /console/api/. Local only: nothing under stacks/ or the Lambda imports it.
 */
export const CONSOLE_PATH = "/console";
export const DEFAULT_CONSOLE_ROOT = fileURLToPath(new URL("../../../../web/dist-console/", import.meta.url));
const MAX_BODY_BYTES = 16 * 1024;
const KEEP_ALIVE_MS = 15_000;

export interface LocalConsoleOptions {
  pool: PoolAccess;
  /** The built page; packages/web/dist-console unless given. */
  consoleRoot?: string;
}

export interface LocalConsole {
  handles(path: string): boolean;
  handle(req: IncomingMessage, res: ServerResponse, listening: { host: string; port: number }): void;
  record(inv: Invocation): void;
  /** Ends the live streams, so the server can close. */
  close(): void;
}

type Send = (status: number, body: unknown) => void;

export function createLocalConsole(options: LocalConsoleOptions): LocalConsole {
  const store = new InvocationStore();
  const streams = new Set<ServerResponse>();
  const page = withLocalWebRoutes((_req, res) => sendJson(res, 404, problem("NOT_FOUND", "No such console endpoint.")), {
    webRoot: options.consoleRoot ?? DEFAULT_CONSOLE_ROOT,
  });

  async function api(req: IncomingMessage, res: ServerResponse, route: string): Promise<void> {
    const send: Send = (status, body) => sendJson(res, status, body);
    const method = req.method ?? "GET";
    if (method === "GET" && route === "invocations") return send(200, store.list());
    if (method === "GET" && route.startsWith("invocations/")) {
      const found = store.get(decodeURIComponent(route.slice("invocations/".length)));
      return found ? send(200, found) : send(404, problem("NOT_FOUND", "No such invocation (the console keeps the last 200)."));
    }
    if (method === "GET" && route === "events") return openStream(req, res);
    if (method === "GET" && route === "items") return send(200, await listItems());
    if (method === "GET" && route === "files") return send(200, await listFiles(fileNamesByKey(await listItems())));
    if (method === "GET" && route === "users") return send(200, await listUsers(options.pool));
    if (method === "POST" && route === "users") return send(201, await createUser(options.pool, await readJson(req)));
    if (method === "POST" && route === "token") {
      const { username } = await readJson(req);
      return send(200, { accessToken: await userAccessToken(options.pool, username) });
    }
    return send(404, problem("NOT_FOUND", `No console endpoint ${method} /console/api/${route}.`));
  }

  function openStream(req: IncomingMessage, res: ServerResponse): void {
    // connection: close, so ending the stream (the server stopping) also closes its socket.
    res.writeHead(200, { "content-type": "text/event-stream", "cache-control": "no-store", connection: "close", "x-powered-by": CONSOLE_MARKER });
    const emit = (event: ConsoleEvent) => res.write(`data: ${JSON.stringify(event)}\n\n`);
    emit({ type: "snapshot", invocations: store.list() });
    const unsubscribe = store.subscribe((invocation) => emit({ type: "invocation", invocation }));
    const keepAlive = setInterval(() => res.write(": keep-alive\n\n"), KEEP_ALIVE_MS).unref();
    streams.add(res);
    res.once("close", () => {
      clearInterval(keepAlive);
      unsubscribe();
      streams.delete(res);
    });
    req.socket.setTimeout(0);
  }

  return {
    handles: (path) => path === CONSOLE_PATH || path.startsWith(`${CONSOLE_PATH}/`),
    handle(req, res, listening) {
      const refusal = consoleRefusal(req.headers, listening);
      if (refusal) return sendJson(res, 403, problem(refusal, "The console answers only its own page on this machine's local address."));
      const path = requestPath(req);
      const route = path.startsWith(`${CONSOLE_PATH}/api/`) ? path.slice(`${CONSOLE_PATH}/api/`.length) : null;
      if (route === null) {
        req.url = req.url!.slice(CONSOLE_PATH.length) || "/";
        void page(req, res);
        return;
      }
      api(req, res, route).catch((error: unknown) => {
        if (error instanceof ConsoleUserError) {
          const status = error.code === "NOT_FOUND" ? 404 : error.code === "USER_EXISTS" ? 409 : 400;
          return sendJson(res, status, problem(error.code, error.message));
        }
        if (error instanceof BadBody) return sendJson(res, 400, problem("BAD_REQUEST", error.message));
        log.error("console endpoint failed", { route, error });
        if (!res.headersSent) sendJson(res, 500, problem("INTERNAL_SERVER_ERROR", "Unexpected error."));
        else res.destroy();
      });
    },
    record: (inv) => store.add(inv),
    close() {
      for (const stream of streams) stream.end();
    },
  };
}

/** The names the table records for the bucket's keys (notes' files and pending uploads). */
function fileNamesByKey(items: ItemsView): Map<string, string> {
  const names = new Map<string, string>();
  for (const { notes } of items.notesByUser) for (const note of notes) if (note.attachment) names.set(note.attachment.key, note.attachment.fileName);
  for (const upload of items.pendingUploads) if (typeof upload.key === "string" && typeof upload.fileName === "string") names.set(upload.key, upload.fileName);
  return names;
}

class BadBody extends Error {}

async function readJson(req: IncomingMessage): Promise<Record<string, unknown>> {
  if (!/^application\/json\b/i.test(req.headers["content-type"] ?? "")) throw new BadBody("Send JSON (Content-Type: application/json).");
  const bytes = await readBodyUpTo(req, MAX_BODY_BYTES);
  if (bytes === null) throw new BadBody(`The body is over ${MAX_BODY_BYTES} bytes.`);
  try {
    const body = JSON.parse(bytes.toString("utf8")) as unknown;
    if (body !== null && typeof body === "object" && !Array.isArray(body)) return body as Record<string, unknown>;
  } catch {
    // Reported below, as for any other body that is not an object.
  }
  throw new BadBody("The body must be a JSON object.");
}

function problem(code: string, message: string) {
  return { error: { code, message } };
}

function sendJson(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    "content-type": "application/json; charset=utf-8",
    "content-length": String(Buffer.byteLength(text)),
    "cache-control": "no-store",
    "x-content-type-options": "nosniff",
    "x-powered-by": CONSOLE_MARKER,
  });
  res.end(text);
}
