import type {
  APIGatewayProxyEventV2,
  APIGatewayProxyStructuredResultV2,
  Context as LambdaContext,
} from "aws-lambda";
import type { NotesYoga } from "../graphql/yoga.ts";
import { MAX_BODY_BYTES, payloadTooLargeBody } from "./limits.ts";

/**
 * The one place HTTP meets the Lambda: an API Gateway HTTP API (payload v2) event in, yoga's
 * Response out as the structured Lambda result.
 */
export function createLambdaHandler(yoga: NotesYoga) {
  return async function handler(
    event: APIGatewayProxyEventV2,
    context?: LambdaContext,
  ): Promise<APIGatewayProxyStructuredResultV2> {
    const body = requestBody(event);
    if (body === TOO_LARGE) {
      return {
        statusCode: 413,
        headers: { "content-type": "application/json; charset=utf-8" },
        body: payloadTooLargeBody(),
      };
    }
    const method = event.requestContext.http.method;
    const response = await yoga.fetch(
      requestUrl(event),
      { method, headers: requestHeaders(event), body: body as BodyInit | undefined },
      { requestId: event.requestContext.requestId ?? context?.awsRequestId },
    );
    return toLambdaResult(response);
  };
}

const TOO_LARGE = Symbol("too large");

function requestBody(event: APIGatewayProxyEventV2): string | Buffer | undefined | typeof TOO_LARGE {
  const { body } = event;
  if (body == null || body === "") return undefined;
  if (event.isBase64Encoded) {
    // Decoded size is known from the encoded length before decoding anything.
    if (Math.floor((body.length * 3) / 4) - padding(body) > MAX_BODY_BYTES) return TOO_LARGE;
    return Buffer.from(body, "base64");
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
    if (name !== "set-cookie") headers[name] = value;
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
