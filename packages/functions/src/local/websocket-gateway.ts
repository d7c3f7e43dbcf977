import { randomBytes, randomUUID } from "node:crypto";
import type { IncomingMessage, Server, ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import type { Duplex } from "node:stream";
import { MAX_MESSAGE_BYTES } from "@notes/core/connections";
import { WebSocketServer, type WebSocket } from "ws";
import { requestPath } from "../http/body.ts";
import { graphqlRequestFrom, invocationOf, type Invocation } from "./invocation.ts";
import type { Invoked } from "./workers.ts";

/**
 * The local stand-in for an API Gateway WebSocket API: a WebSocket at /graphql on the local HTTP
 * server whose connect, messages and close become `$connect` / `$default` / `$disconnect` events
 * for the Lambda handler (through `invoke`, the same seam the local Lambda workers expose), and the
 * `@connections` management API the handler calls back (POST, GET, DELETE `/@connections/{id}`;
 * SigV4 is not checked). Limits as API Gateway's: 128 KB messages, sent to clients in frames of
 * at most 32 KB, an idle timeout (10 minutes), and a DeleteConnection that closes with a plain
 * close frame (no status code). A client's frame over 32 KB is not refused (API Gateway closes
 * with 1009): `ws` checks only the whole message's size, and has no per-frame hook.
 */
export interface WebSocketGatewayOptions {
  /** One Lambda invocation (the worker pool's run): the event in, the handler's outcome and log lines out. */
  run: (event: unknown, requestId: string) => Promise<Invoked>;
  /** After each `$connect` / `$default` / `$disconnect` invocation, as the HTTP API reports its own. */
  onInvocation?(invocation: Invocation): void;
  /** Closes a connection with no message either way for this long (API Gateway: 10 minutes). */
  idleTimeoutMs?: number;
}

export interface WebSocketGateway {
  /** What the handler's `@connections` client is configured with (WEBSOCKET_MANAGEMENT_ENDPOINT). */
  managementEndpoint: string;
  close(): Promise<void>;
}

// API Gateway's message limit (MAX_MESSAGE_BYTES): larger PostToConnection data is refused, larger client messages end the connection.
/** API Gateway's frame limit: a longer message goes to the client in several frames. */
const MAX_FRAME_BYTES = 32 * 1024;
/** Where clients connect: the HTTP API's GraphQL path. */
const PATH = "/graphql";
const STAGE = "local";
const CONNECTIONS_PATH = "/@connections/";
const API_ID = "localws";

/** The fields of a WebSocket API event the gateway itself reads. */
type WebSocketEvent = Record<string, unknown> & { requestContext: Record<string, unknown> & { requestId: string; routeKey: string }; body?: string };

interface LocalConnection {
  socket: WebSocket;
  connectedAt: number;
  lastActiveAt: number;
  sourceIp: string;
  userAgent: string;
  idle?: NodeJS.Timeout;
  deleted?: boolean;
}

export function attachWebSocketGateway(server: Server, options: WebSocketGatewayOptions): WebSocketGateway {
  const idleTimeoutMs = options.idleTimeoutMs ?? 10 * 60_000;
  const connections = new Map<string, LocalConnection>();
  // Invocations in flight: close() waits for them (a $disconnect still writes to the table).
  const pending = new Set<Promise<unknown>>();
  /** One invocation: the handler's result (a failed invocation: status 502), reported to onInvocation. */
  const invoke = (event: WebSocketEvent) => {
    const startedAt = new Date();
    const { requestId, routeKey } = event.requestContext;
    const invocation = options
      .run(event, requestId)
      .then((invoked) => {
        const result = invoked.outcome.kind === "result" ? (invoked.outcome.result as { statusCode?: number; headers?: Record<string, string> } | undefined) : undefined;
        const status = invoked.outcome.kind === "result" ? (result?.statusCode ?? 200) : 502;
        options.onInvocation?.(invocationOf(invoked, { requestId, startedAt, route: routeKey, status, request: subscribeRequestOf(event.body) }));
        return { statusCode: status, headers: result?.headers };
      })
      .finally(() => pending.delete(invocation));
    pending.add(invocation);
    return invocation;
  };
  // The handshake completes with the subprotocol $connect answered, as API Gateway does.
  const accepted = new WeakMap<IncomingMessage, string | undefined>();
  const wss = new WebSocketServer({
    noServer: true,
    maxPayload: MAX_MESSAGE_BYTES,
    handleProtocols: (_protocols, request) => accepted.get(request) ?? false,
  });

  const domainName = () => {
    const address = server.address();
    return typeof address === "object" && address ? `localhost:${address.port}` : "localhost";
  };
  const requestContext = (connectionId: string, connection: Pick<LocalConnection, "connectedAt" | "sourceIp" | "userAgent">, routeKey: string, eventType: string) => {
    const now = Date.now();
    return {
      routeKey,
      eventType,
      messageDirection: "IN",
      connectionId,
      connectedAt: connection.connectedAt,
      requestId: randomUUID(),
      extendedRequestId: randomUUID(),
      requestTime: new Date(now).toUTCString(),
      requestTimeEpoch: now,
      identity: { sourceIp: connection.sourceIp, userAgent: connection.userAgent },
      domainName: domainName(),
      stage: STAGE,
      apiId: API_ID,
    };
  };

  const touch = (connection: LocalConnection) => {
    connection.lastActiveAt = Date.now();
    clearTimeout(connection.idle);
    connection.idle = setTimeout(() => connection.socket.close(1001, "Going away"), idleTimeoutMs);
  };

  const onUpgrade = async (request: IncomingMessage, socket: Duplex, head: Buffer) => {
    if (requestPath(request) !== PATH) return;
    const headers = flatHeaders(request);
    const connectionId = randomBytes(12).toString("base64");
    const meta = {
      connectedAt: Date.now(),
      sourceIp: request.socket.remoteAddress ?? "127.0.0.1",
      userAgent: String(request.headers["user-agent"] ?? ""),
    };
    let result: { statusCode: number; headers?: Record<string, string> };
    try {
      result = await invoke({
        headers,
        multiValueHeaders: Object.fromEntries(Object.entries(headers).map(([k, v]) => [k, [v]])),
        requestContext: requestContext(connectionId, meta, "$connect", "CONNECT"),
        isBase64Encoded: false,
      });
    } catch {
      result = { statusCode: 502 };
    }
    const status = result.statusCode;
    if (status < 200 || status > 299) {
      socket.end(`HTTP/1.1 ${status} Refused\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`);
      return;
    }
    const protocol = Object.entries(result.headers ?? {}).find(([name]) => name.toLowerCase() === "sec-websocket-protocol")?.[1];
    accepted.set(request, protocol);
    wss.handleUpgrade(request, socket, head, (ws) => {
      const connection: LocalConnection = { socket: ws, ...meta, lastActiveAt: Date.now() };
      connections.set(connectionId, connection);
      touch(connection);
      ws.on("message", (data, isBinary) => {
        touch(connection);
        const body = isBinary ? Buffer.from(data as Buffer).toString("base64") : data.toString();
        void invoke({
            requestContext: { ...requestContext(connectionId, connection, "$default", "MESSAGE"), messageId: randomUUID() },
            body,
            isBase64Encoded: isBinary,
          })
          .catch(() => {});
      });
      ws.on("close", (code, reason) => {
        clearTimeout(connection.idle);
        connections.delete(connectionId);
        void invoke({
            headers,
            requestContext: {
              ...requestContext(connectionId, connection, "$disconnect", "DISCONNECT"),
              disconnectStatusCode: code,
              disconnectReason: reason.toString(),
            },
            isBase64Encoded: false,
          })
          .catch(() => {});
      });
    });
  };
  server.on("upgrade", (request, socket, head) => void onUpgrade(request, socket, head));

  /** The `@connections` API: true when it answered the request. */
  const manage = (req: IncomingMessage, res: ServerResponse): boolean => {
    const url = requestPath(req);
    if (!url.startsWith(CONNECTIONS_PATH)) return false;
    const connectionId = decodeURIComponent(url.slice(CONNECTIONS_PATH.length));
    const connection = connections.get(connectionId);
    if (!connection || connection.deleted) {
      req.resume();
      answer(res, 410, { message: null }, "GoneException");
      return true;
    }
    if (req.method === "GET") {
      answer(res, 200, {
        connectedAt: new Date(connection.connectedAt).toISOString(),
        identity: { sourceIp: connection.sourceIp, userAgent: connection.userAgent },
        lastActiveAt: new Date(connection.lastActiveAt).toISOString(),
      });
    } else if (req.method === "DELETE") {
      req.resume();
      connection.deleted = true;
      // A close frame without a status code: the client sees 1005, as from API Gateway's DeleteConnection.
      connection.socket.close();
      res.writeHead(204).end();
    } else if (req.method === "POST") {
      const chunks: Buffer[] = [];
      let size = 0;
      req.on("data", (chunk: Buffer) => {
        size += chunk.length;
        if (size <= MAX_MESSAGE_BYTES) chunks.push(chunk);
      });
      req.on("end", () => {
        if (size > MAX_MESSAGE_BYTES) return answer(res, 413, { message: "Message too long" }, "PayloadTooLargeException");
        if (connection.deleted || connection.socket.readyState !== connection.socket.OPEN) return answer(res, 410, { message: null }, "GoneException");
        touch(connection);
        sendInFrames(connection.socket, Buffer.concat(chunks), (error) =>
          error ? answer(res, 410, { message: null }, "GoneException") : res.writeHead(200).end(),
        );
      });
    } else {
      req.resume();
      answer(res, 405, { message: "Method not allowed" }, "MethodNotAllowedException");
    }
    return true;
  };
  // The @connections paths are answered before the server's own request listeners see them.
  const listeners = server.listeners("request") as ((req: IncomingMessage, res: ServerResponse) => void)[];
  server.removeAllListeners("request");
  server.on("request", (req: IncomingMessage, res: ServerResponse) => {
    if (!manage(req, res)) for (const listener of listeners) listener.call(server, req, res);
  });

  return {
    get managementEndpoint() {
      const { address, family, port } = server.address() as AddressInfo;
      return `http://${family === "IPv6" ? `[${address}]` : address}:${port}`;
    },
    close: async () => {
      for (const connection of connections.values()) connection.socket.close(1001, "Going away");
      await new Promise<void>((resolve) => wss.close(() => resolve()));
      while (pending.size) await Promise.allSettled([...pending]);
    },
  };
}

/** A text message in frames of at most MAX_FRAME_BYTES, as API Gateway sends it; `done` after the last. */
function sendInFrames(socket: WebSocket, data: Buffer, done: (error?: Error) => void) {
  for (let start = 0; ; start += MAX_FRAME_BYTES) {
    const fin = start + MAX_FRAME_BYTES >= data.length;
    socket.send(data.subarray(start, start + MAX_FRAME_BYTES), { binary: false, fin }, fin ? done : undefined);
    if (fin) return;
  }
}

/** What the console shows of a `$default` message: a graphql-ws `subscribe`'s document. */
function subscribeRequestOf(body: string | undefined): Invocation["request"] {
  if (!body) return undefined;
  try {
    const message = JSON.parse(body) as { type?: string; payload?: Record<string, any> };
    if (message.type !== "subscribe" || !message.payload) return undefined;
    return graphqlRequestFrom(message.payload);
  } catch {
    return undefined;
  }
}

function answer(res: ServerResponse, status: number, body: unknown, errorType?: string) {
  if (res.headersSent) return;
  res.writeHead(status, { "content-type": "application/json", ...(errorType ? { "x-amzn-errortype": errorType } : {}) });
  res.end(JSON.stringify(body));
}

function flatHeaders(request: IncomingMessage): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(request.headers)) {
    if (value !== undefined) headers[name] = Array.isArray(value) ? value.join(",") : value;
  }
  return headers;
}
