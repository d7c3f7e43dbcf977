import { readFile, stat } from "node:fs/promises";
import type { IncomingMessage, ServerResponse } from "node:http";
import { extname, resolve, sep } from "node:path";
import { fileURLToPath } from "node:url";
import { log } from "../log.ts";

// Local server only: the Lambda never imports this file.

type Listener = (req: IncomingMessage, res: ServerResponse) => Promise<void> | void;

export interface LocalWebRoutesOptions {
  /**
   * The app's VITE_ settings: the build carries `{{ VITE_NAME }}` placeholders, filled in here as
   * files are served, the way SST's StaticSite fills them in on deploy.
   */
  appSettings?: Record<string, string>;
  /** Origins besides its own that the app may call (the local user pool). */
  connectSources?: string[];
  /** The built web app; packages/web/dist unless given. */
  webRoot?: string;
}

export const DEFAULT_WEB_ROOT = fileURLToPath(new URL("../../../web/dist/", import.meta.url));
const PLACEHOLDER = /\{\{ (VITE_[A-Z0-9_]+) \}\}/g;

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

// The app only talks to its own origin and the user pool; nothing inline, nothing third-party.
function appSecurityHeaders(connectSources: string[]): Record<string, string> {
  return {
    "content-security-policy": [
      "default-src 'self'",
      "img-src 'self' data:",
      `connect-src ${["'self'", ...connectSources].join(" ")}`,
      "object-src 'none'",
      "base-uri 'none'",
      "frame-ancestors 'none'",
      "form-action 'self'",
    ].join("; "),
    "x-content-type-options": "nosniff",
    "referrer-policy": "no-referrer",
  };
}

interface WebApp {
  webRoot: string;
  securityHeaders: Record<string, string>;
  settings: Record<string, string>;
}

/** Puts the web app in front of the API listener: `/graphql` goes to the API, other GETs serve the built app. */
export function withLocalWebRoutes(api: Listener, options: LocalWebRoutesOptions = {}): Listener {
  const app: WebApp = {
    webRoot: resolve(options.webRoot ?? DEFAULT_WEB_ROOT),
    securityHeaders: appSecurityHeaders(options.connectSources ?? []),
    settings: options.appSettings ?? {},
  };
  return async function localRoutes(req, res) {
    const path = pathOf(req.url);
    if (path === "/graphql" || path === null) return api(req, res);
    if (req.method !== "GET" && req.method !== "HEAD") return api(req, res);
    try {
      await serveWebApp(req, res, app, path);
    } catch (error) {
      log.error("local web route failed", { path, error });
      if (!res.headersSent) sendText(res, 500, "Unexpected error.");
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

/** A setting not given keeps its placeholder, which the app treats as unset (as an unfilled deploy). */
function fillPlaceholders(text: string, settings: Record<string, string>): string {
  // Inside a JS string literal: escaped as JSON escapes it.
  return text.replace(PLACEHOLDER, (placeholder, name: string) =>
    name in settings ? JSON.stringify(settings[name]).slice(1, -1) : placeholder,
  );
}

async function serveWebApp(req: IncomingMessage, res: ServerResponse, app: WebApp, urlPath: string): Promise<void> {
  const { webRoot } = app;
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
      // The same headers as the app's own pages: what the page may load does not depend on a build.
      app.securityHeaders,
    );
  }
  const filled = [".js", ".html"].includes(extname(file));
  if (filled) body = Buffer.from(fillPlaceholders(body.toString("utf8"), app.settings));
  const immutable = relative.startsWith("/assets/") && !filled;
  res.writeHead(200, {
    "content-type": CONTENT_TYPES[extname(file)] ?? "application/octet-stream",
    "content-length": String(body.length),
    // Vite content-hashes /assets/, but filled-in files differ per data directory (pool ids): those are revalidated.
    "cache-control": immutable ? "public, max-age=31536000, immutable" : "no-cache",
    ...app.securityHeaders,
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

function sendText(res: ServerResponse, status: number, text: string, headers: Record<string, string> = {}): void {
  res.writeHead(status, {
    "content-type": "text/plain; charset=utf-8",
    "content-length": String(Buffer.byteLength(text)),
    "x-content-type-options": "nosniff",
    ...headers,
  });
  res.end(text);
}
