import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from "aws-lambda";

/** API Gateway HTTP API (payload format 2.0) events, shaped as the service delivers them. */
export const API_DOMAIN = "r4nd0m1d.execute-api.eu-west-1.amazonaws.com";

export interface EventOptions {
  method?: "GET" | "POST" | "PUT" | "DELETE" | "OPTIONS";
  path?: string;
  /** Decoded query parameters; encoded into rawQueryString the way API Gateway receives them. */
  query?: Record<string, string>;
  headers?: Record<string, string>;
  body?: string;
  isBase64Encoded?: boolean;
  cookies?: string[];
  requestId?: string;
}

let sequence = 0;

export function apiGatewayEvent(options: EventOptions = {}): APIGatewayProxyEventV2 {
  const method = options.method ?? "POST";
  const path = options.path ?? "/graphql";
  const rawQueryString = options.query ? new URLSearchParams(options.query).toString() : "";
  const now = new Date();
  const headers: Record<string, string> = {
    accept: "application/graphql-response+json, application/json",
    "accept-encoding": "gzip, deflate, br",
    host: API_DOMAIN,
    "user-agent": "vitest-client/1.0",
    "x-amzn-trace-id": `Root=1-${Math.floor(now.getTime() / 1000).toString(16)}-0123456789abcdef01234567`,
    "x-forwarded-for": "203.0.113.7",
    "x-forwarded-port": "443",
    "x-forwarded-proto": "https",
    ...(options.body !== undefined && { "content-length": String(bodyBytes(options)) }),
    // HTTP API lower-cases header names before invoking the function.
    ...Object.fromEntries(Object.entries(options.headers ?? {}).map(([k, v]) => [k.toLowerCase(), v])),
  };
  return {
    version: "2.0",
    routeKey: `${method} ${path}`,
    rawPath: path,
    rawQueryString,
    ...(options.cookies && { cookies: options.cookies }),
    headers,
    ...(options.query && { queryStringParameters: options.query }),
    requestContext: {
      accountId: "123456789012",
      apiId: "r4nd0m1d",
      domainName: API_DOMAIN,
      domainPrefix: "r4nd0m1d",
      http: {
        method,
        path,
        protocol: "HTTP/1.1",
        sourceIp: "203.0.113.7",
        userAgent: "vitest-client/1.0",
      },
      requestId: options.requestId ?? `Xk3mZgQ7oAMEbQ${String(++sequence).padStart(2, "0")}=`,
      routeKey: `${method} ${path}`,
      stage: "$default",
      time: apiGatewayTime(now),
      timeEpoch: now.getTime(),
    },
    ...(options.body !== undefined && { body: options.body }),
    isBase64Encoded: options.isBase64Encoded ?? false,
  };
}

/** A JSON POST, optionally base64-encoded as API Gateway does for binary media types. */
export function graphqlPostEvent(
  payload: unknown,
  options: Omit<EventOptions, "method" | "body"> & { token?: string; base64?: boolean } = {},
): APIGatewayProxyEventV2 {
  const json = JSON.stringify(payload);
  return apiGatewayEvent({
    ...options,
    method: "POST",
    headers: {
      "content-type": "application/json",
      ...(options.token && { authorization: `Bearer ${options.token}` }),
      ...options.headers,
    },
    body: options.base64 ? Buffer.from(json).toString("base64") : json,
    isBase64Encoded: options.base64 ?? false,
  });
}

/** The result body as JSON (decoding base64 when the adapter encoded it). */
export function resultJson(result: APIGatewayProxyStructuredResultV2) {
  const text = result.isBase64Encoded ? Buffer.from(result.body ?? "", "base64").toString() : result.body ?? "";
  return JSON.parse(text);
}

function bodyBytes(options: EventOptions): number {
  const body = options.body ?? "";
  return options.isBase64Encoded ? Buffer.from(body, "base64").length : Buffer.byteLength(body);
}

/** "24/Nov/2026:23:04:24 +0000", the format of requestContext.time. */
function apiGatewayTime(date: Date): string {
  const months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];
  const pad = (n: number) => String(n).padStart(2, "0");
  return (
    `${pad(date.getUTCDate())}/${months[date.getUTCMonth()]}/${date.getUTCFullYear()}:` +
    `${pad(date.getUTCHours())}:${pad(date.getUTCMinutes())}:${pad(date.getUTCSeconds())} +0000`
  );
}
