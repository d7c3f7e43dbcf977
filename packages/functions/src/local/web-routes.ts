import { readFile, stat } from "node:fs/promises";
import type { IncomingMessage, ServerResponse } from "node:http";
import { extname, resolve, sep } from "node:path";
import { fileURLToPath } from "node:url";
import { log } from "../log.ts";
import { devUserId, MAX_DEV_USER_ID_LENGTH, mintDevToken } from "./dev-issuer.ts";

// Local server only: the Lambda never imports this file, so neither route exists in AWS.

type Listener = (req: IncomingMessage, res: ServerResponse) => Promise<void> | void;

export interface LocalWebRoutesOptions {
  /** Where the dev issuer's key lives (the same DATA_DIR the API verifies against). */
  dataDir: string;
  /** The built web app; packages/web/dist unless given. */
  webRoot?: string;
}

export const DEV_SIGN_IN_PATH = "/dev/sign-in";
export const DEFAULT_WEB_ROOT = fileURLToPath(new URL("../../../web/dist/", import.meta.url));
const MAX_SIGN_IN_BODY_BYTES = 4_096;
/** localhost, *.localhost or an IP literal, with an optional port: names no one else can resolve to this machine. */
const LOCAL_HOST = /^(localhost|[a-z0-9.-]+\.localhost|\d{1,3}(\.\d{1,3}){3}|\[[0-9a-f:.]+\])(:\d+)?$/i;

const CONTENT_TYPES: Record<string, string> = {
  ".html": "text/html; charset=utf-8",
  ".js": "text/javascript; charset=utf-8",
  ".css": "text/css; charset=utf-8",
  ".json": "application/json; charset=utf-8",
  ".svg": "image/svg+xml",
  ".png": "image/png",
  ".ico": "image/x-icon",
  ".map": "application/json; charset=utf-8",
  ".txt": "text/plain; charset=utf-8",
  ".woff2": "font/woff2",
};

// The app only talks to its own origin; nothing inline, nothing third-party.
const APP_SECURITY_HEADERS = {
  "content-security-policy":
    "default-src 'self'; img-src 'self' data:; object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'self'",
  "x-content-type-options": "nosniff",
  "referrer-policy": "no-referrer",
};

/**
 * Puts the web app and the dev sign-in in front of the API listener: `/graphql` goes to the
 * API, `POST /dev/sign-in` mints a dev-issuer token, other GETs serve the built app.
 */
export function withLocalWebRoutes(api: Listener, options: LocalWebRoutesOptions): Listener {
  const webRoot = resolve(options.webRoot ?? DEFAULT_WEB_ROOT);
  return async function localRoutes(req, res) {
    const path = pathOf(req.url);
    if (path === "/graphql" || path === null) return api(req, res);
    if (path !== DEV_SIGN_IN_PATH && req.method !== "GET" && req.method !== "HEAD") return api(req, res);
    try {
      if (path === DEV_SIGN_IN_PATH) await devSignIn(req, res, options.dataDir);
      else await serveWebApp(req, res, webRoot, path);
    } catch (error) {
      log.error("local web route failed", { path, error });
      if (!res.headersSent) sendJson(res, 500, { error: "Unexpected error." });
      else res.destroy();
    }
  };
}

function pathOf(url: string | undefined): string | null {
  try {
    return new URL(url ?? "/", "http://localhost").pathname;
  } catch {
    return null;
  }
}

async function devSignIn(req: IncomingMessage, res: ServerResponse, dataDir: string): Promise<void> {
  if (req.method !== "POST") return sendJson(res, 405, { error: "Use POST." }, { allow: "POST" });
  // A page on another origin must not obtain tokens from a developer's running server.
  const origin = req.headers.origin;
  if (origin !== undefined && origin !== `http://${req.headers.host}`) {
    return sendJson(res, 403, { error: "Cross-origin sign-in is not allowed." });
  }
  // DNS rebinding: a hostile domain pointed at 127.0.0.1 would otherwise look same-origin.
  if (!LOCAL_HOST.test(req.headers.host ?? "")) {
    return sendJson(res, 403, { error: "Dev sign-in answers only on localhost or an IP address." });
  }
  if (!/^application\/json\s*(;|$)/i.test(req.headers["content-type"] ?? "")) {
    return sendJson(res, 415, { error: "Send a JSON body: {\"userId\": \"alice\"}." });
  }
  const body = await readSmallBody(req, MAX_SIGN_IN_BODY_BYTES);
  if (body === null) return sendJson(res, 413, { error: "Request body too large." }, { connection: "close" });
  const userId = userIdFrom(body);
  if (userId === null) {
    return sendJson(res, 400, {
      error: `userId must be a string of 1 to ${MAX_DEV_USER_ID_LENGTH} characters, not only whitespace.`,
    });
  }
  const token = await mintDevToken(dataDir, userId);
  log.info("dev sign-in", { path: DEV_SIGN_IN_PATH });
  return sendJson(res, 200, { token });
}

function userIdFrom(body: string): string | null {
  let parsed: unknown;
  try {
    parsed = JSON.parse(body);
  } catch {
    return null;
  }
  const userId = (parsed as { userId?: unknown } | null)?.userId;
  return typeof userId === "string" ? devUserId(userId) : null;
}

async function readSmallBody(req: IncomingMessage, limit: number): Promise<string | null> {
  if (Number(req.headers["content-length"] ?? 0) > limit) return null;
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > limit) return null;
    chunks.push(chunk);
  }
  return Buffer.concat(chunks, size).toString("utf8");
}

function sendJson(
  res: ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
): void {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    "content-type": "application/json; charset=utf-8",
    "content-length": String(Buffer.byteLength(text)),
    "cache-control": "no-store",
    ...headers,
  });
  res.end(text);
}

async function serveWebApp(
  req: IncomingMessage,
  res: ServerResponse,
  webRoot: string,
  urlPath: string,
): Promise<void> {
  let relative: string;
  try {
    relative = decodeURIComponent(urlPath);
  } catch {
    return sendText(res, 400, "Bad request path.");
  }
  const candidate = resolve(webRoot, `.${relative}`);
  const hidden = relative.split("/").some((segment) => segment.startsWith("."));
  if (hidden || relative.includes("\0") || (candidate !== webRoot && !candidate.startsWith(webRoot + sep))) {
    return sendText(res, 404, "Not found.");
  }
  const file = (await isFile(candidate))
    ? candidate
    : extname(relative) === ""
      ? resolve(webRoot, "index.html") // a client-side route: the app decides what to show
      : null;
  if (file === null) return sendText(res, 404, "Not found.");
  let body: Buffer;
  try {
    body = await readFile(file);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== "ENOENT") throw error;
    return sendText(
      res,
      404,
      "The web app is not built. Run `npm run build:web` (npm start builds it when needed), or open /graphql for GraphiQL.",
    );
  }
  const hashedAsset = relative.startsWith("/assets/");
  res.writeHead(200, {
    "content-type": CONTENT_TYPES[extname(file)] ?? "application/octet-stream",
    "content-length": String(body.length),
    // Vite content-hashes everything under /assets/; index.html must be revalidated to pick up new hashes.
    "cache-control": hashedAsset ? "public, max-age=31536000, immutable" : "no-cache",
    ...APP_SECURITY_HEADERS,
  });
  res.end(req.method === "HEAD" ? undefined : body);
}

async function isFile(path: string): Promise<boolean> {
  try {
    return (await stat(path)).isFile();
  } catch {
    return false;
  }
}

function sendText(res: ServerResponse, status: number, text: string): void {
  res.writeHead(status, {
    "content-type": "text/plain; charset=utf-8",
    "content-length": String(Buffer.byteLength(text)),
    "x-content-type-options": "nosniff",
  });
  res.end(text);
}
