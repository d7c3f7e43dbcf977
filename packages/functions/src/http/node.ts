import { isUtf8 } from "node:buffer";
import { randomUUID } from "node:crypto";
import type { IncomingMessage, ServerResponse } from "node:http";
import { handleRuntimeRequest, type NotesYoga } from "../graphql/yoga.ts";
import { endAfterDrain, readBodyUpTo } from "./body.ts";
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

/** How much of an unread body is drained after a 413 before the connection is cut. */
const DRAIN_LIMIT_BYTES = 16 * MAX_BODY_BYTES;

/**
 * The local server's side of HTTP: a Node request in, yoga's Response out, with the same
 * body limit the Lambda adapter enforces, whether or not the client sent a Content-Length.
 */
export function createNodeListener(yoga: NotesYoga) {
  return async function listener(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const receivedAt = performance.now();
    const requestId = randomUUID();
    try {
      const body = req.method === "GET" || req.method === "HEAD" ? undefined : await readBodyUpTo(req, MAX_BODY_BYTES);
      if (body === null) return refuse(req, res, payloadTooLarge, requestId, receivedAt);
      if (body && !isUtf8(body)) return refuse(req, res, invalidUtf8, requestId, receivedAt);
      const url = `http://${req.headers.host ?? "localhost"}${req.url ?? "/"}`;
      if (!URL.canParse(url)) return refuse(req, res, invalidHost, requestId, receivedAt);
      const response = await handleRuntimeRequest(
        yoga,
        url,
        { method: req.method, headers: requestHeaders(req), body: body?.length ? (body as BodyInit) : undefined },
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
  res.write(refusal.body);
  endAfterDrain(req, res, DRAIN_LIMIT_BYTES);
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
