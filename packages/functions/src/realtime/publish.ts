import { inParallel } from "@notes/core/in-parallel";
import type { NoteEvent } from "@notes/core/note-event";
import * as Subscription from "@notes/core/subscription";
import { execute, parse, type DocumentNode, type ExecutionResult, type GraphQLSchema } from "graphql";
import { MessageType, stringifyMessage } from "graphql-ws";
import type { Context } from "../graphql/context.ts";
import { formatError } from "../graphql/errors.ts";
import { BoundedMap } from "../bounded-map.ts";
import { log } from "../log.ts";

/**
 * Sends in flight at once per event: the SDK's default agent keeps 50 sockets alive
 * (@smithy/node-http-handler's maxSockets), so none waits for a socket; bounded for API Gateway's rate.
 */
const FAN_OUT_LIMIT = 50;
// Loaded when someone is subscribed: a mutation with nobody listening never loads the @connections client.
const loadConnections = () => import("@notes/core/connections");

/**
 * Sends a note event to every live subscription of its owner, each as the result of that
 * subscription's own document (executed once per distinct document), in parallel up to
 * FAN_OUT_LIMIT. A message over API Gateway's 128 KB goes with `note: null` (the client refetches);
 * a connection found gone (410) is forgotten. Never fails the mutation: it is logged.
 */
export async function publishNoteEvent(schema: GraphQLSchema, context: Context, userId: string, event: NoteEvent): Promise<void> {
  try {
    const subscriptions = await Subscription.subscriptionsOf(userId);
    if (subscriptions.length === 0) return;
    const { postToConnection, MAX_MESSAGE_BYTES } = await loadConnections();
    const results = new Map<string, Promise<ExecutionResult>>();
    const run = (s: Subscription.StoredSubscription, root: NoteEvent) =>
      execute({
        schema,
        document: parsed(s.query),
        rootValue: root,
        contextValue: { ...context, caller: { id: userId } },
        variableValues: s.variables ?? undefined,
        operationName: s.operationName ?? undefined,
      }) as Promise<ExecutionResult>;
    const resultOf = (s: Subscription.StoredSubscription) => {
      const key = JSON.stringify([s.query, s.variables ?? null, s.operationName ?? null]);
      let result = results.get(key);
      if (!result) results.set(key, (result = Promise.resolve(run(s, event)).then((r) => formatted(r, context.requestId))));
      return result;
    };
    await inParallel(subscriptions, FAN_OUT_LIMIT, async (s) => {
      try {
        await send(s);
      } catch (error) {
        // One connection failing (API Gateway throttling, a timeout) does not hold back the others.
        log.error("note event not sent", { requestId: context.requestId, type: event.type, error });
      }
    });
    async function send(s: Subscription.StoredSubscription) {
      let message = nextMessage(s.subscriptionId, await resultOf(s));
      if (Buffer.byteLength(message) > MAX_MESSAGE_BYTES) {
        message = nextMessage(s.subscriptionId, formatted(await run(s, { ...event, note: null }), context.requestId));
      }
      if (!(await postToConnection(s.connectionId, message))) await Subscription.removeConnection(s.connectionId, userId);
    }
  } catch (error) {
    // The note is written: a lost event is what clients recover from by refetching on reconnect (docs/realtime.md).
    log.error("note event not published", { requestId: context.requestId, type: event.type, error });
  }
}

function nextMessage(id: string, payload: ExecutionResult): string {
  return stringifyMessage({ id, type: MessageType.Next, payload });
}

function formatted(result: ExecutionResult, requestId: string): ExecutionResult {
  return result.errors ? { ...result, errors: result.errors.map((e) => formatError(e, requestId)) } : result;
}

const documents = new BoundedMap<string, DocumentNode>(100);

/** Stored documents were validated when subscribed; parsing one is kept per text, bounded. */
function parsed(query: string): DocumentNode {
  let document = documents.get(query);
  if (!document) {
    document = parse(query);
    documents.set(query, document);
  }
  return document;
}
