import { createServer, type RequestListener, type Server } from "node:http";

// Local server only.

/** What the server tells clients (Keep-Alive: timeout=…): reuse an idle connection for less than this. */
export const KEEP_ALIVE_ANNOUNCED_SECONDS = 5;

/**
 * How long an idle connection is really kept: well past what is announced. A client reuses a
 * connection until about the announced time; when the server was busy at that moment, its idle
 * timer fires before it reads the request already waiting on the socket, and closing a socket with
 * unread data resets it (ECONNRESET on the client). Kept longer than announced, that request is read.
 */
const KEEP_ALIVE_KEPT_MS = 65_000;

/** The one HTTP server of `npm start`: every route, and any `upgrade` listener, go through it. */
export function createLocalHttpServer(listener: RequestListener): Server {
  return createServer(
    {
      // A slow or stalled client gives up its connection in seconds, not Node's default 5 minutes.
      headersTimeout: 10_000,
      requestTimeout: 30_000,
      connectionsCheckingInterval: 2_000,
      keepAliveTimeout: KEEP_ALIVE_KEPT_MS,
    },
    (req, res) => {
      // Set here, Node announces this instead of the timeout it enforces.
      res.setHeader("connection", "keep-alive");
      res.setHeader("keep-alive", `timeout=${KEEP_ALIVE_ANNOUNCED_SECONDS}`);
      listener(req, res);
    },
  );
}
