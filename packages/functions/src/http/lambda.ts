import type {
  APIGatewayProxyEventV2,
  APIGatewayProxyStructuredResultV2,
  Context as LambdaContext,
} from "aws-lambda";
import { isUtf8 } from "node:buffer";
import { handleRuntimeRequest, type NotesYoga } from "../graphql/yoga.ts";
import { UNEXPECTED_FAILURE_BODY, unexpected } from "../graphql/errors.ts";
import { beginInvocation } from "../request-log.ts";
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
 * The one place HTTP meets the Lambda: an API Gateway HTTP API (payload v2) event in, yoga's
 * Response out as the structured Lambda result.
 */
export function createLambdaHandler(yoga: NotesYoga) {
  return function handler(event: APIGatewayProxyEventV2, context?: LambdaContext): Promise<APIGatewayProxyStructuredResultV2> {
    return handle(yoga, event, context);
  };
}

async function handle(
  yoga: NotesYoga,
  event: APIGatewayProxyEventV2,
  context: LambdaContext | undefined,
): Promise<APIGatewayProxyStructuredResultV2> {
  const receivedAt = performance.now();
  const requestId = event.requestContext.requestId ?? context?.awsRequestId;
  const method = event.requestContext.http.method;
  if (context) beginInvocation(context);
  const body = requestBody(event);
  if (body === TOO_LARGE) return refuse(payloadTooLarge, requestId, method, receivedAt);
  if (body === NOT_UTF8) return refuse(invalidUtf8, requestId, method, receivedAt);
  const url = requestUrl(event);
  if (!URL.canParse(url)) return refuse(invalidHost, requestId, method, receivedAt);
  try {
    const response = await handleRuntimeRequest(
      yoga,
      url,
      { method, headers: requestHeaders(event), body: body as BodyInit | undefined },
      { requestId, receivedAt },
    );
    const result = await toLambdaResult(response);
    // The same header as the local server: a client quotes it, the logs and metrics carry it.
    if (requestId) result.headers!["x-request-id"] = requestId;
    return result;
  } catch (error) {
    // yoga answers every GraphQL failure itself; this is a broken response stream at most.
    unexpected("unexpected error", { requestId, error });
    return { statusCode: 500, headers: refusalHeaders(requestId), body: UNEXPECTED_FAILURE_BODY };
  }
}

function refuse(
  refusal: TransportRefusal,
  requestId: string | undefined,
  method: string,
  receivedAt: number,
): APIGatewayProxyStructuredResultV2 {
  logRefusal(refusal, requestId, method, receivedAt);
  return { statusCode: refusal.status, headers: refusalHeaders(requestId), body: refusal.body };
}

/** The headers of an answer the adapter gives itself (yoga never saw the request), with the request id. */
function refusalHeaders(requestId: string | undefined): Record<string, string> {
  return requestId ? { ...REFUSAL_HEADERS, "x-request-id": requestId } : { ...REFUSAL_HEADERS };
}

const TOO_LARGE = Symbol("too large");
const NOT_UTF8 = Symbol("not UTF-8");

function requestBody(
  event: APIGatewayProxyEventV2,
): string | Buffer | undefined | typeof TOO_LARGE | typeof NOT_UTF8 {
  const { body } = event;
  if (body == null || body === "") return undefined;
  if (event.isBase64Encoded) {
    // Decoded size is known from the encoded length before decoding anything.
    if (Math.floor((body.length * 3) / 4) - padding(body) > MAX_BODY_BYTES) return TOO_LARGE;
    const bytes = Buffer.from(body, "base64");
    return isUtf8(bytes) ? bytes : NOT_UTF8;
  }
  // A UTF-16 unit is at most 3 UTF-8 bytes: only long bodies need an exact count.
  if (body.length * 3 > MAX_BODY_BYTES && Buffer.byteLength(body) > MAX_BODY_BYTES) {
    return TOO_LARGE;
  }
  return body;
}

function padding(base64: string): number {
  return base64.endsWith("==") ? 2 : base64.endsWith("=") ? 1 : 0;
}

function requestUrl(event: APIGatewayProxyEventV2): string {
  const host = event.requestContext.domainName ?? event.headers?.host ?? "localhost";
  const query = event.rawQueryString ? `?${event.rawQueryString}` : "";
  return `https://${host}${event.rawPath}${query}`;
}

function requestHeaders(event: APIGatewayProxyEventV2): [string, string][] {
  const headers: [string, string][] = [];
  for (const [name, value] of Object.entries(event.headers ?? {})) {
    if (value !== undefined) headers.push([name.toLowerCase(), value]);
  }
  // Payload v2 moves Cookie headers into `cookies`.
  if (event.cookies?.length) headers.push(["cookie", event.cookies.join("; ")]);
  return headers;
}

const TEXT_TYPES = /^(text\/|application\/(json|graphql-response\+json|javascript|xml)|image\/svg)/i;

export async function toLambdaResult(response: Response): Promise<APIGatewayProxyStructuredResultV2> {
  const headers: Record<string, string> = {};
  response.headers.forEach((value, name) => {
    // yoga's Headers keep the case they were set with; Lambda results use lowercase names.
    if (name.toLowerCase() !== "set-cookie") headers[name.toLowerCase()] = value;
  });
  const cookies = response.headers.getSetCookie?.() ?? [];
  const contentType = response.headers.get("content-type") ?? "";
  const isText = contentType === "" || TEXT_TYPES.test(contentType);
  const body = isText
    ? await response.text()
    : Buffer.from(await response.arrayBuffer()).toString("base64");
  return {
    statusCode: response.status,
    headers,
    ...(cookies.length ? { cookies } : {}),
    body,
    isBase64Encoded: !isText,
  };
}
