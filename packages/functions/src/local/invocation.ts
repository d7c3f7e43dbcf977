import { REQUEST_MESSAGE } from "../request-log.ts";
import type { Invoked } from "./workers.ts";

/** One invocation of the local Lambda, as the local API Gateway saw it. */
export interface Invocation {
  requestId: string;            // API Gateway's request id (apigw-requestid), also the Lambda's awsRequestId
  startedAt: string;            // ISO time the gateway received the request
  route: string;                // e.g. "POST /graphql", or "$connect" / "$default" / "$disconnect"
  operation?: string;           // GraphQL operation name when known (from the request log line)
  status: number;               // HTTP status returned to the client (WebSocket routes: the Lambda's statusCode)
  durationMs: number;           // gateway in -> gateway out
  cold: boolean;                // first invocation of that worker
  worker: number;               // worker number (1, 2, ...)
  request?: { document?: string; variables?: unknown; operationName?: string; persistedQueryHash?: string };
  logLines: string[];           // every stdout/stderr line the worker wrote during this invocation, raw
}

/** The record both local gateways report for one finished invocation. */
export function invocationOf(
  invoked: Invoked,
  seen: { requestId: string; startedAt: Date; route: string; status: number; request: Invocation["request"] },
): Invocation {
  return {
    requestId: seen.requestId,
    startedAt: seen.startedAt.toISOString(),
    route: seen.route,
    operation: operationOf(invoked.logLines),
    status: seen.status,
    durationMs: Date.now() - seen.startedAt.getTime(),
    cold: invoked.cold,
    worker: invoked.worker,
    request: seen.request,
    logLines: invoked.logLines,
  };
}

/** The operation name from the function's request log line. */
function operationOf(lines: string[]): string | undefined {
  for (const line of lines) {
    if (!line.startsWith("{")) continue;
    try {
      const { message, operationName } = JSON.parse(line) as { message?: unknown; operationName?: unknown };
      if (message === REQUEST_MESSAGE) return typeof operationName === "string" ? operationName : undefined;
    } catch {
      // not a JSON line
    }
  }
  return undefined;
}

/** What the console shows of GraphQL request parameters (an HTTP body's, a `subscribe` message's payload). */
export function graphqlRequestFrom(params: Record<string, any>): Invocation["request"] {
  const { query, variables, operationName, extensions } = params;
  return { document: query, variables, operationName, persistedQueryHash: extensions?.persistedQuery?.sha256Hash };
}
