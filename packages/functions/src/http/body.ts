import type { IncomingMessage, ServerResponse } from "node:http";

// The node:http servers' body handling (the local API Gateway, http/node.ts, the local console): one limit rule, one lingering close.

/** The request target's path, without its query. */
export function requestPath(req: IncomingMessage): string {
  return (req.url ?? "/").split("?", 1)[0]!;
}

/** The body, or null past `limit` bytes (a declared Content-Length past it is not read at all; the rest is left unread). */
export function readBodyUpTo(req: IncomingMessage, limit: number): Promise<Buffer | null> {
  if (Number(req.headers["content-length"] ?? 0) > limit) return Promise.resolve(null);
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size <= limit) return void chunks.push(chunk);
      req.off("data", onData);
      req.pause();
      resolve(null);
    };
    req.on("data", onData);
    req.once("end", () => resolve(chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks, size)));
    req.once("error", reject);
    // Before "end" the client hung up mid-body; after it, no Error is built (a stack trace per request).
    req.once("close", () => {
      if (!req.complete) reject(new Error("the request closed before its body ended"));
    });
  });
}

/**
 * Ends a response whose whole answer is written before the body was read (a 413): ending it now
 * would close the socket under a client still writing (EPIPE, not the status), so the rest is read
 * and dropped (a lingering close, as nginx does) up to `limitBytes` or 5 s, then the connection is cut.
 */
export function endAfterDrain(req: IncomingMessage, res: ServerResponse, limitBytes: number): void {
  let drained = 0;
  const cutOff = () => {
    clearTimeout(timer);
    req.off("data", onData);
    res.destroy();
  };
  const timer = setTimeout(cutOff, 5_000).unref();
  const onData = (chunk: Buffer) => {
    drained += chunk.length;
    if (drained > limitBytes) cutOff();
  };
  req.on("data", onData);
  req.once("end", () => {
    clearTimeout(timer);
    res.end();
  });
  req.once("close", () => clearTimeout(timer));
  req.resume();
}
