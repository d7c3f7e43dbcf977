import { isUtf8 } from "node:buffer";
import { randomBytes } from "node:crypto";
import type { IncomingMessage, ServerResponse } from "node:http";
import type { APIGatewayProxyEventV2 } from "aws-lambda";
import { GRAPHQL_ROUTES, HTTP_API_CORS } from "../../../../stacks/http-api.ts";
import { endAfterDrain, readBodyUpTo, requestPath } from "../http/body.ts";
import { graphqlRequestFrom, invocationOf, type Invocation } from "./invocation.ts";
import type { Invoked } from "./workers.ts";

// Local server only: API Gateway's HTTP API in front of the function, payload format 2.0.

/** API Gateway's own limit on a request's payload. */
const MAX_PAYLOAD_BYTES = 10 * 1024 * 1024;

/** What API Gateway answers itself, with no Lambda result to map. */
const ANSWERS = {
  notFound: [404, "Not Found"],
  tooLarge: [413, "Request Entity Too Large"],
  functionFailed: [502, "Internal Server Error"],
  timedOut: [503, "Service Unavailable"],
} as const;

export interface HttpRequestParts {
  method: string;
  /** The request target: path and query, as received. */
  url: string;
  /** Node's rawHeaders: names and values, alternating, as received. */
  rawHeaders: string[];
  sourceIp: string;
  body: Buffer;
}

/** A payload 2.0 event as API Gateway builds it for a request on `routeKey`. */
export function httpApiEvent(request: HttpRequestParts, routeKey: string, requestId: string, now = new Date()): APIGatewayProxyEventV2 {
  const headers: Record<string, string> = {};
  const cookies: string[] = [];
  for (let i = 0; i < request.rawHeaders.length; i += 2) {
    const name = request.rawHeaders[i]!.toLowerCase();
    const value = request.rawHeaders[i + 1]!;
    // Cookie headers become the `cookies` array, one cookie each.
    if (name === "cookie") cookies.push(...value.split(";").map((cookie) => cookie.trim()).filter(Boolean));
    else headers[name] = name in headers ? `${headers[name]},${value}` : value;
  }
  const queryStart = request.url.indexOf("?");
  const rawPath = queryStart === -1 ? request.url : request.url.slice(0, queryStart);
  const rawQueryString = queryStart === -1 ? "" : request.url.slice(queryStart + 1);
  const query: Record<string, string> = {};
  for (const [name, value] of new URLSearchParams(rawQueryString)) {
    query[name] = name in query ? `${query[name]},${value}` : value;
  }
  const host = headers.host ?? "localhost";
  const text = isTextBody(headers["content-type"], request.body);
  return {
    version: "2.0",
    routeKey,
    rawPath,
    rawQueryString,
    ...(cookies.length ? { cookies } : {}),
    headers,
    ...(Object.keys(query).length ? { queryStringParameters: query } : {}),
    requestContext: {
      accountId: "000000000000",
      apiId: "local",
      domainName: host,
      domainPrefix: host.split(".")[0]!,
      http: {
        method: request.method,
        path: rawPath,
        protocol: "HTTP/1.1",
        sourceIp: request.sourceIp,
        userAgent: headers["user-agent"] ?? "",
      },
      requestId,
      routeKey,
      stage: "$default",
      time: accessLogTime(now),
      timeEpoch: now.getTime(),
    },
    ...(request.body.length ? { body: request.body.toString(text ? "utf8" : "base64") } : {}),
    isBase64Encoded: request.body.length > 0 && !text,
  };
}

const TEXT_TYPES = /^(text\/|application\/([\w.+-]+\+)?(json|xml|javascript|graphql|x-www-form-urlencoded)\b)/i;

/** Text bodies go as they are; anything else (or bytes that are not UTF-8) base64-encoded. */
function isTextBody(contentType: string | undefined, body: Buffer): boolean {
  return (contentType === undefined || TEXT_TYPES.test(contentType)) && isUtf8(body);
}

/** `12/Mar/2020:19:03:58 +0000`, requestContext.time's format. */
function accessLogTime(now: Date): string {
  const [, day, month, year, time] = /^\w+, (\d+) (\w+) (\d+) ([\d:]+)/.exec(now.toUTCString())!;
  return `${day}/${month}/${year}:${time} +0000`;
}

/** An id shaped as API Gateway's (`apigw-requestid`, requestContext.requestId). */
export function httpApiRequestId(): string {
  return randomBytes(11).toString("base64");
}

export interface HttpAnswer {
  status: number;
  headers: [string, string][];
  body: Buffer;
}

/** The function's result as API Gateway turns it into a response (payload 2.0 rules). */
export function httpApiAnswer(result: unknown): HttpAnswer {
  const isObject = typeof result === "object" && result !== null && !Array.isArray(result);
  if (!isObject || !("statusCode" in result)) {
    // No statusCode: the result itself is the JSON body of a 200.
    const body = typeof result === "string" ? result : JSON.stringify(result ?? null);
    return { status: 200, headers: [["content-type", "application/json"]], body: Buffer.from(body) };
  }
  const { statusCode, headers = {}, cookies = [], body = "", isBase64Encoded = false } = result as Record<string, unknown>;
  if (!Number.isInteger(statusCode) || (statusCode as number) < 100 || (statusCode as number) > 599) return gatewayAnswer(ANSWERS.functionFailed);
  if (typeof headers !== "object" || !Array.isArray(cookies) || typeof body !== "string") return gatewayAnswer(ANSWERS.functionFailed);
  const answerHeaders: [string, string][] = Object.entries(headers as Record<string, unknown>).map(([name, value]) => [name.toLowerCase(), String(value)]);
  for (const cookie of cookies) answerHeaders.push(["set-cookie", String(cookie)]);
  return { status: statusCode as number, headers: answerHeaders, body: Buffer.from(body, isBase64Encoded ? "base64" : "utf8") };
}

function gatewayAnswer([status, message]: readonly [number, string]): HttpAnswer {
  return { status, headers: [["content-type", "application/json"]], body: Buffer.from(JSON.stringify({ message })) };
}

export interface HttpApiOptions {
  /** Runs one invocation of the function (the worker pool's run). */
  run(event: APIGatewayProxyEventV2, requestId: string): Promise<Invoked>;
  onInvocation?(invocation: Invocation): void;
}

/** The HTTP API's listener: routes, CORS, the payload limit, then the function and its answer. */
export function createHttpApi(options: HttpApiOptions) {
  return async function httpApi(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const startedAt = new Date();
    const requestId = httpApiRequestId();
    try {
      await answer(req, res, startedAt, requestId);
    } catch {
      // The client went away mid-body, or the function could not be reached at all: never the server's end.
      if (!res.headersSent) send(res, requestId, gatewayAnswer(ANSWERS.functionFailed), req);
      else res.destroy();
    }
  };

  async function answer(req: IncomingMessage, res: ServerResponse, startedAt: Date, requestId: string): Promise<void> {
    const method = req.method ?? "GET";
    const routeKey = `${method} ${requestPath(req)}`;
    if (isPreflight(req)) return send(res, requestId, PREFLIGHT_ANSWER, req);
    if (!(GRAPHQL_ROUTES as readonly string[]).includes(routeKey)) return send(res, requestId, gatewayAnswer(ANSWERS.notFound), req);
    const body = await readBodyUpTo(req, MAX_PAYLOAD_BYTES);
    if (body === null) return send(res, requestId, gatewayAnswer(ANSWERS.tooLarge), req);
    const event = httpApiEvent(
      { method, url: req.url ?? "/", rawHeaders: req.rawHeaders, sourceIp: req.socket.remoteAddress ?? "127.0.0.1", body },
      routeKey,
      requestId,
      startedAt,
    );
    const invoked = await options.run(event, requestId);
    const { outcome } = invoked;
    const answered =
      outcome.kind === "result"
        ? httpApiAnswer(outcome.result)
        : gatewayAnswer(outcome.kind === "timeout" ? ANSWERS.timedOut : ANSWERS.functionFailed);
    send(res, requestId, withCors(answered, req), req);
    options.onInvocation?.(invocationOf(invoked, { requestId, startedAt, route: routeKey, status: answered.status, request: graphqlRequestOf(event) }));
  }
}

function isPreflight(req: IncomingMessage): boolean {
  return req.method === "OPTIONS" && req.headers.origin !== undefined && req.headers["access-control-request-method"] !== undefined;
}

// The stacks' CORS settings, as API Gateway sends them.
const ALLOW_ORIGIN = HTTP_API_CORS.allowOrigins.join(",");
const EXPOSE_HEADERS = HTTP_API_CORS.exposeHeaders.join(",");

const PREFLIGHT_ANSWER: HttpAnswer = {
  status: 204,
  headers: [
    ["access-control-allow-origin", ALLOW_ORIGIN],
    ["access-control-allow-methods", HTTP_API_CORS.allowMethods.join(",")],
    ["access-control-allow-headers", HTTP_API_CORS.allowHeaders.join(",")],
    ["access-control-max-age", String(corsMaxAgeSeconds(HTTP_API_CORS.maxAge))],
  ],
  body: Buffer.alloc(0),
};

/** With CORS configured, API Gateway drops the function's CORS headers and adds its own to a cross-origin request. */
function withCors(answer: HttpAnswer, req: IncomingMessage): HttpAnswer {
  const headers = answer.headers.filter(([name]) => !name.startsWith("access-control-"));
  if (req.headers.origin !== undefined) {
    headers.push(["access-control-allow-origin", ALLOW_ORIGIN]);
    headers.push(["access-control-expose-headers", EXPOSE_HEADERS]);
  }
  return { ...answer, headers };
}

function corsMaxAgeSeconds(maxAge: string): number {
  const [, count, unit] = /^(\d+) (second|minute|hour|day)s?$/.exec(maxAge)!;
  return Number(count) * { second: 1, minute: 60, hour: 3600, day: 86_400 }[unit as "second"];
}

/** How much of an unread body is drained after a 413 before the connection is cut. */
const DRAIN_LIMIT_BYTES = 2 * MAX_PAYLOAD_BYTES;

function send(res: ServerResponse, requestId: string, answer: HttpAnswer, req: IncomingMessage): void {
  if (res.destroyed) return;
  const headers: Record<string, string | string[]> = {};
  for (const [name, value] of answer.headers) {
    const previous = headers[name];
    headers[name] = previous === undefined ? value : name === "set-cookie" ? [previous, value].flat() : `${previous},${value}`;
  }
  headers["apigw-requestid"] = requestId;
  headers["content-length"] = String(answer.body.length);
  // Received whole (read or not: Node drops an unread rest once the response is done).
  if (req.complete) {
    res.writeHead(answer.status, headers);
    return void res.end(answer.body);
  }
  headers.connection = "close";
  res.writeHead(answer.status, headers);
  res.write(answer.body);
  endAfterDrain(req, res, DRAIN_LIMIT_BYTES);
}

function graphqlRequestOf(event: APIGatewayProxyEventV2): Invocation["request"] {
  if (!event.body || event.isBase64Encoded) return undefined;
  try {
    return graphqlRequestFrom(JSON.parse(event.body) as Record<string, any>);
  } catch {
    return undefined;
  }
}
