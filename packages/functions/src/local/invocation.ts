// packages/functions/src/local/invocation.ts
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
