import { isUtf8 } from "node:buffer";
import { randomUUID } from "node:crypto";
import type { IncomingMessage, ServerResponse } from "node:http";
import { handleRuntimeRequest, type NotesYoga } from "../graphql/yoga.ts";
import { UNEXPECTED_FAILURE_BODY, unexpected } from "../graphql/errors.ts";
import {
  MAX_BODY_BYTES,
  REFUSAL_HEADERS,
  invalidHost,
  invalidUtf8,
  logRefusal,
  payloadTooLarge,
  type TransportRefusal,
} from "./limits.ts";

/**
 * After a 413 the rest of the body is read and dropped (a lingering close, as nginx does) up to
 * this much or this long, then the connection is cut: clients that write their whole body
 * before reading (fetch/undici) still get to read the 413.
 */
const DRAIN_LIMIT_BYTES = 16 * MAX_BODY_BYTES;
const DRAIN_LIMIT_MS = 5_000;

/**
 * The local server's side of HTTP: a Node request in, yoga's Response out, with the same
 * body limit the Lambda adapter enforces, whether or not the client sent a Content-Length.
 */
export function createNodeListener(yoga: NotesYoga) {
  return async function listener(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const receivedAt = performance.now();
    const requestId = randomUUID();
    try {
      const declared = Number(req.headers["content-length"] ?? 0);
      const body = declared > MAX_BODY_BYTES ? TOO_LARGE : await readBody(req);
      if (body === TOO_LARGE) return refuse(req, res, payloadTooLarge, requestId, receivedAt);
      if (body && !isUtf8(body)) return refuse(req, res, invalidUtf8, requestId, receivedAt);
      const url = `http://${req.headers.host ?? "localhost"}${req.url ?? "/"}`;
      if (!URL.canParse(url)) return refuse(req, res, invalidHost, requestId, receivedAt);
      const response = await handleRuntimeRequest(
        yoga,
        url,
        { method: req.method, headers: requestHeaders(req), body: body as BodyInit | undefined },
        { requestId, receivedAt },
      );
      await writeResponse(res, response, requestId);
    } catch (error) {
      // Only socket-level failures land here (the client went away); GraphQL errors are a Response.
      // (Not req.destroyed: a request whose body was read to the end is destroyed too.)
      if (res.destroyed || res.socket?.destroyed) return;
      unexpected("unexpected error", { requestId, error });
      if (!res.headersSent) {
        res.writeHead(500, { ...REFUSAL_HEADERS, "x-request-id": requestId });
        res.end(UNEXPECTED_FAILURE_BODY);
      } else res.destroy();
    }
  };
}

const TOO_LARGE = Symbol("too large");

function readBody(req: IncomingMessage): Promise<Buffer | undefined | typeof TOO_LARGE> {
  if (req.method === "GET" || req.method === "HEAD") return Promise.resolve(undefined);
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size <= MAX_BODY_BYTES) chunks.push(chunk);
      else {
        req.off("data", onData);
        resolve(TOO_LARGE);
      }
    };
    req.on("data", onData);
    req.once("end", () => {
      resolve(size === 0 ? undefined : chunks.length === 1 ? chunks[0] : Buffer.concat(chunks, size));
    });
    req.once("error", reject);
    // Before "end" the client hung up mid-body; after it, no Error is built (a stack trace per request).
    req.once("close", () => {
      if (!req.readableEnded) reject(new Error("request closed before its body ended"));
    });
  });
}

function refuse(
  req: IncomingMessage,
  res: ServerResponse,
  refusal: TransportRefusal,
  requestId: string,
  receivedAt: number,
): void {
  logRefusal(refusal, requestId, req.method ?? "", receivedAt);
  const headers = {
    ...REFUSAL_HEADERS,
    "x-request-id": requestId,
    "content-length": String(Buffer.byteLength(refusal.body)),
    connection: "close",
  };
  res.writeHead(refusal.status, headers);
  if (req.readableEnded) return void res.end(refusal.body);
  // The whole answer goes out now, but ending the response would make Node close the socket
  // under a client still writing (EPIPE instead of a 413): end it once the body is drained.
  res.write(refusal.body);
  let drained = 0;
  const cutOff = () => {
    clearTimeout(timer);
    req.off("data", onData);
    res.destroy();
  };
  const timer = setTimeout(cutOff, DRAIN_LIMIT_MS).unref();
  const onData = (chunk: Buffer) => {
    drained += chunk.length;
    if (drained > DRAIN_LIMIT_BYTES) cutOff();
  };
  req.on("data", onData);
  req.once("end", () => {
    clearTimeout(timer);
    res.end();
  });
  req.once("close", () => clearTimeout(timer));
  req.resume();
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
