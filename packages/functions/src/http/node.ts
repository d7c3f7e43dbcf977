import { randomUUID } from "node:crypto";
import type { IncomingMessage, ServerResponse } from "node:http";
import type { NotesYoga } from "../graphql/yoga.ts";
import { MAX_BODY_BYTES, payloadTooLargeBody } from "./limits.ts";

/**
 * The local server's side of HTTP: a Node request in, yoga's Response out, with the same
 * body limit the Lambda adapter enforces.
 */
export function createNodeListener(yoga: NotesYoga) {
  return async function listener(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const requestId = randomUUID();
    try {
      const declared = Number(req.headers["content-length"] ?? 0);
      const body = declared > MAX_BODY_BYTES ? TOO_LARGE : await readBody(req);
      if (body === TOO_LARGE) return sendTooLarge(req, res);
      const host = req.headers.host ?? "localhost";
      const response = await yoga.fetch(
        `http://${host}${req.url ?? "/"}`,
        { method: req.method, headers: requestHeaders(req), body: body as BodyInit | undefined },
        { requestId },
      );
      await writeResponse(res, response, requestId);
    } catch (error) {
      // Only socket-level failures land here; GraphQL errors are already a Response.
      if (!res.headersSent) {
        res.writeHead(500, { "content-type": "application/json" });
        res.end(JSON.stringify({ errors: [{ message: "Unexpected error." }] }));
      } else res.destroy(error as Error);
    }
  };
}

const TOO_LARGE = Symbol("too large");

async function readBody(req: IncomingMessage): Promise<Buffer | undefined | typeof TOO_LARGE> {
  if (req.method === "GET" || req.method === "HEAD") return undefined;
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > MAX_BODY_BYTES) return TOO_LARGE;
    chunks.push(chunk);
  }
  return size === 0 ? undefined : chunks.length === 1 ? chunks[0] : Buffer.concat(chunks, size);
}

function sendTooLarge(req: IncomingMessage, res: ServerResponse): void {
  res.writeHead(413, { "content-type": "application/json; charset=utf-8", connection: "close" });
  // The rest of the body is never read; closing the connection discards it.
  res.end(payloadTooLargeBody(), () => req.socket.destroySoon?.());
}

function requestHeaders(req: IncomingMessage): [string, string][] {
  const headers: [string, string][] = [];
  const raw = req.rawHeaders;
  for (let i = 0; i < raw.length; i += 2) headers.push([raw[i]!.toLowerCase(), raw[i + 1]!]);
  return headers;
}

async function writeResponse(res: ServerResponse, response: Response, requestId: string) {
  const headers: Record<string, string | string[]> = { "x-request-id": requestId };
  response.headers.forEach((value, name) => {
    if (name !== "set-cookie") headers[name] = value;
  });
  const cookies = response.headers.getSetCookie?.() ?? [];
  if (cookies.length) headers["set-cookie"] = cookies;
  const body = Buffer.from(await response.arrayBuffer());
  headers["content-length"] = String(body.length);
  res.writeHead(response.status, headers);
  res.end(body);
}
