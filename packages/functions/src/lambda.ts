// First: stack traces of every module below are mapped to TypeScript when printed.
import "./bundle/stack-traces.ts";
import { cognitoVerifierFromEnv } from "./auth.ts";
import { createNotesYoga } from "./graphql/yoga.ts";
import { createLambdaHandler } from "./http/lambda.ts";
import { flagFromEnv } from "./env-flag.ts";
import type { APIGatewayProxyEventV2, Context as LambdaContext } from "aws-lambda";
import type { WebSocketEvent, WebSocketResult } from "./realtime/websocket.ts";

// The one Lambda. Everything at module level runs once per cold start, not per request.

/** "true"/"false" (or 1/0); unset is undefined; anything else stops the cold start loudly. */
const flagEnv = (name: string) => flagFromEnv(process.env, name);

// Protected stages (staging, prod) hide the schema unless INTROSPECTION/GRAPHIQL say otherwise.
const protectedStage = flagEnv("PROTECTED_STAGE") ?? false;

const verifyAuthorization = cognitoVerifierFromEnv();
const trustedDocumentsOnly = flagEnv("TRUSTED_DOCUMENTS_ONLY") ?? false;

const yoga = createNotesYoga({
  verifyAuthorization,
  protectedStage,
  introspection: flagEnv("INTROSPECTION") ?? !protectedStage,
  graphiql: flagEnv("GRAPHIQL") ?? !protectedStage,
  trustedDocumentsOnly,
});

const handleHttp = createLambdaHandler(yoga);

// The WebSocket API's events ($connect, $default, $disconnect) come to this same function; their
// module is loaded by the first of them, so an HTTP cold start never pays for it (docs/realtime.md).
let handleWebSocket: Promise<(event: WebSocketEvent, context?: LambdaContext) => Promise<WebSocketResult>> | undefined;

export async function handler(event: APIGatewayProxyEventV2 | WebSocketEvent, context?: LambdaContext) {
  if (!isWebSocketEvent(event)) return handleHttp(event, context);
  handleWebSocket ??= import("./realtime/websocket.ts").then(({ createWebSocketHandler }) =>
    createWebSocketHandler({ verifyAuthorization, trustedDocumentsOnly }),
  );
  return (await handleWebSocket)(event, context);
}

/** The same test as realtime/websocket.ts's, here so that module stays out of the HTTP path. */
function isWebSocketEvent(event: unknown): event is WebSocketEvent {
  const context = (event as { requestContext?: { eventType?: unknown; connectionId?: unknown } }).requestContext;
  return typeof context?.eventType === "string" && typeof context.connectionId === "string";
}
