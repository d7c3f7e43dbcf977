import * as Connections from "@notes/core/connections";
import * as Subscription from "@notes/core/subscription";
import type { Context as LambdaContext } from "aws-lambda";
import { GraphQLError, getOperationAST, parse, validate, getVariableValues, type DocumentNode } from "graphql";
import {
  CloseCode,
  GRAPHQL_TRANSPORT_WS_PROTOCOL,
  MessageType,
  handleProtocols,
  parseMessage,
  stringifyMessage,
  type Message,
  type SubscribeMessage,
} from "graphql-ws";
import { TokenVerificationUnavailableError, type VerifyAuthorization } from "../auth.ts";
import { schema } from "../graphql/schema.ts";
import { clientError } from "../graphql/errors.ts";
import { trustedDocument } from "../graphql/trusted-documents.ts";
import { log } from "../log.ts";
import { beginInvocation } from "../request-log.ts";

/**
 * The graphql-transport-ws protocol on Lambda, one API Gateway WebSocket event at a time: nothing
 * lives in memory between messages; the connection's state (its user once `connection_init`
 * verified the token) and its subscriptions are in DynamoDB (core/subscription.ts), and every
 * answer goes back through the `@connections` API (core/connections.ts).
 */

/** An API Gateway WebSocket event ($connect carries the handshake's headers; $default the message). */
export interface WebSocketEvent {
  requestContext: {
    routeKey: string;
    eventType: "CONNECT" | "MESSAGE" | "DISCONNECT";
    connectionId: string;
    requestId?: string;
    connectedAt?: number;
    domainName?: string;
    stage?: string;
  };
  headers?: Record<string, string | undefined>;
  body?: string | null;
  isBase64Encoded?: boolean;
}

export interface WebSocketResult {
  statusCode: number;
  headers?: Record<string, string>;
  body?: string;
}

export interface WebSocketHandlerOptions {
  verifyAuthorization: VerifyAuthorization;
  /** As on HTTP: only trusted documents' hashes are accepted as subscriptions. */
  trustedDocumentsOnly?: boolean;
  /** How long a new connection may take to send `connection_init` (graphql-ws' connectionInitWaitTimeout). */
  initWaitSeconds?: number;
}

export function createWebSocketHandler(options: WebSocketHandlerOptions) {
  const initWaitSeconds = options.initWaitSeconds ?? 10;
  return async function handleWebSocketEvent(event: WebSocketEvent, context?: LambdaContext): Promise<WebSocketResult> {
    if (context) beginInvocation(context);
    const { eventType, connectionId } = event.requestContext;
    const requestId = event.requestContext.requestId ?? context?.awsRequestId;
    try {
      if (eventType === "CONNECT") {
        // API Gateway completes the handshake only if the answer names the subprotocol the client asked for.
        const protocol = handleProtocols(header(event, "sec-websocket-protocol") ?? "");
        if (!protocol) return { statusCode: 400, body: `Use the ${GRAPHQL_TRANSPORT_WS_PROTOCOL} subprotocol.` };
        await Subscription.addConnection(connectionId, initWaitSeconds);
        return { statusCode: 200, headers: { "Sec-WebSocket-Protocol": protocol } };
      }
      if (eventType === "DISCONNECT") {
        await Subscription.removeConnection(connectionId);
        return { statusCode: 200 };
      }
      await onMessage(options, connectionId, event.body ?? "", requestId);
      return { statusCode: 200 };
    } catch (error) {
      log.error("unexpected error", { requestId, route: event.requestContext.routeKey, error });
      return { statusCode: 500 };
    }
  };
}

async function onMessage(options: WebSocketHandlerOptions, connectionId: string, body: string, requestId?: string) {
  let message: Message;
  try {
    message = parseMessage(body);
  } catch {
    return refuse(connectionId, CloseCode.BadRequest, requestId);
  }
  const connection = await Subscription.getConnection(connectionId);
  // Unknown, or never initialised within the wait: what graphql-ws closes with 4408.
  if (!connection) return refuse(connectionId, CloseCode.ConnectionInitialisationTimeout, requestId);
  const send = (reply: Message) => Connections.postToConnection(connectionId, stringifyMessage(reply));

  switch (message.type) {
    case MessageType.ConnectionInit: {
      const authorization = message.payload?.Authorization ?? message.payload?.authorization;
      let caller;
      try {
        caller = await options.verifyAuthorization(typeof authorization === "string" ? authorization : null, requestId);
      } catch (error) {
        if (!(error instanceof TokenVerificationUnavailableError)) throw error;
        return refuse(connectionId, CloseCode.InternalServerError, requestId);
      }
      if (!caller) return refuse(connectionId, CloseCode.Forbidden, requestId);
      if (!(await Subscription.initializeConnection(connectionId, caller.id))) {
        return refuse(connectionId, CloseCode.TooManyInitialisationRequests, requestId);
      }
      await send({ type: MessageType.ConnectionAck });
      return;
    }
    case MessageType.Ping:
      await send({ type: MessageType.Pong, ...(message.payload ? { payload: message.payload } : {}) });
      return;
    case MessageType.Pong:
      return;
    case MessageType.Subscribe: {
      if (!connection.userId) return refuse(connectionId, CloseCode.Unauthorized, requestId);
      const checked = checkSubscription(message, options.trustedDocumentsOnly ?? false);
      if (checked instanceof Array) {
        await send({ id: message.id, type: MessageType.Error, payload: checked.map((e) => e.toJSON()) });
        return;
      }
      const stored = await Subscription.addSubscription(connection.userId, {
        connectionId,
        subscriptionId: message.id,
        query: checked,
        variables: message.payload.variables ?? null,
        operationName: message.payload.operationName ?? null,
      });
      if (!stored) return refuse(connectionId, CloseCode.SubscriberAlreadyExists, requestId);
      return;
    }
    case MessageType.Complete:
      if (connection.userId) await Subscription.removeSubscription(connection.userId, connectionId, message.id);
      return;
    default:
      // connection_ack, next, error: only a server sends them.
      return refuse(connectionId, CloseCode.BadRequest, requestId);
  }
}

/**
 * The query text of a valid `noteEvents` subscription, or the errors the client gets in an `error`
 * message (its socket stays open): not trusted when only trusted documents run, not parsable,
 * not valid against the schema, not a subscription, or variables that do not fit.
 */
function checkSubscription(message: SubscribeMessage, trustedOnly: boolean): string | GraphQLError[] {
  const { payload } = message;
  const hash = (payload.extensions?.persistedQuery as { sha256Hash?: unknown } | undefined)?.sha256Hash;
  let query: string | undefined;
  if (typeof hash === "string") {
    query = trustedDocument(hash);
    if (query === undefined) return [clientError("No trusted document has this sha256Hash.", "PERSISTED_QUERY_NOT_FOUND")];
  } else if (trustedOnly) {
    return [clientError("This API runs only trusted documents: send extensions.persistedQuery.sha256Hash.", "PERSISTED_QUERY_ONLY")];
  } else {
    query = payload.query;
  }
  if (typeof query !== "string" || query === "") return [clientError("Send a query.", "BAD_REQUEST")];
  let document: DocumentNode;
  try {
    document = parse(query, { maxTokens: 2_000 });
  } catch (error) {
    return [withCode(error as GraphQLError, "GRAPHQL_PARSE_FAILED")];
  }
  const errors = validate(schema, document, undefined, { maxErrors: 10 });
  if (errors.length) return errors.map((e) => withCode(e, "GRAPHQL_VALIDATION_FAILED"));
  const operation = getOperationAST(document, payload.operationName);
  if (!operation) return [clientError("Name the operation to run.", "GRAPHQL_VALIDATION_FAILED")];
  if (operation.operation !== "subscription") {
    return [clientError("Only subscriptions (noteEvents) are served over WebSocket; send queries and mutations over HTTP.", "BAD_REQUEST")];
  }
  const variables = getVariableValues(schema, operation.variableDefinitions ?? [], payload.variables ?? {}, { maxErrors: 10 });
  if (variables.errors) return variables.errors.map((e) => withCode(e, "GRAPHQL_VALIDATION_FAILED"));
  return query;
}

function withCode(error: GraphQLError, code: string): GraphQLError {
  return new GraphQLError(error.message, { nodes: error.nodes, source: error.source, positions: error.positions, extensions: { ...error.extensions, code } });
}

/**
 * Where graphql-ws' server closes with a 44xx code, API Gateway can only end the connection
 * (DeleteConnection: a plain close, SPEC "Real-time"); its records go with it and nothing more is sent.
 */
async function refuse(connectionId: string, code: CloseCode, requestId?: string): Promise<void> {
  // The code graphql-ws' server would have closed with, for the log only.
  log.warn("websocket connection refused", { requestId, closeCode: code, reason: CloseCode[code] });
  await Connections.deleteConnection(connectionId);
  await Subscription.removeConnection(connectionId);
}

function header(event: WebSocketEvent, name: string): string | undefined {
  for (const [key, value] of Object.entries(event.headers ?? {})) if (key.toLowerCase() === name) return value;
  return undefined;
}
