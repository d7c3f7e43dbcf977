import { createHash, randomUUID } from "node:crypto";
import { getOperationAST, type ExecutionResult } from "graphql";
import type { Plugin } from "graphql-yoga";
import { BoundedMap } from "./bounded-map.ts";
import type { Context } from "./graphql/context.ts";
import type { Context as LambdaContext } from "aws-lambda";
import { elapsedMs, log } from "./log.ts";
import { recordInvocation, recordRequest } from "./metrics.ts";

/**
 * The one line every HTTP request produces, whichever runtime and however it ended, and its
 * metrics: written by writeRequestLine only (for requests yoga answered, by useRequestLog; for
 * those a runtime refused before yoga, by http/limits.ts). Never a token, a query, variables or
 * note content: an operation name, error codes and a pseudonym of the caller.
 */
export type RequestLogFields = {
  requestId: string | undefined;
  method: string;
  status: number;
  durationMs: number | null;
  operationName: string | null;
  errorCodes: readonly string[];
  /** A pseudonym of the caller's id (never the id, the token or any content). */
  userHash: string | null;
};

export const REQUEST_MESSAGE = "graphql request";

export function writeRequestLine(fields: RequestLogFields): void {
  log.info(REQUEST_MESSAGE, fields);
  recordRequest(fields);
}

/**
 * Per Lambda invocation, HTTP or WebSocket: the context's keys (cold_start, function_request_id,
 * ...) on every log line of the invocation, and the cold-start metric.
 */
export function beginInvocation(context: LambdaContext): void {
  log.addContext(context);
  recordInvocation(context);
}

/** What each runtime (Lambda, local server) knows of a request before yoga sees it. */
export interface ServerContext {
  requestId?: string;
  /** performance.now() when the runtime received the request (the log line's duration). */
  receivedAt?: number;
}

// Kept beside the Request, not in a serverContext object: whatwg-node derives each request's
// context from a given one with Object.create, a new hidden class per request
// (docs/decisions/2026-11-25-no-server-context-object.md).
const runtimeRequests = new WeakMap<Request, ServerContext>();

/** How a runtime hands its request id and arrival time to useRequestLog. */
export function rememberRuntime(request: Request, runtime: ServerContext): void {
  runtimeRequests.set(request, runtime);
}

/** What useRequestLog notes on the per-request context object while the request runs. */
interface RequestNotes extends ServerContext {
  caller?: Context["caller"];
  loggedOperationName?: string | null;
  loggedErrorCodes?: readonly string[];
}

/** The runtime's request id and arrival time, or fresh ones when yoga is called directly. */
function withRequestId(request: Request, notes: RequestNotes): RequestNotes {
  if (notes.requestId === undefined) {
    const given = runtimeRequests.get(request);
    notes.requestId = given?.requestId ?? randomUUID();
    notes.receivedAt ??= given?.receivedAt ?? performance.now();
  }
  return notes;
}

const NO_CODES: readonly string[] = [];
const MAX_LOGGED_NAME = 100;

/**
 * The request line of every request yoga answers (a result, a parse or validation error, a 4xx
 * from request parsing, GraphiQL), from what its hooks saw of it.
 */
export function useRequestLog(): Plugin<Context, ServerContext> {
  return {
    onRequest({ request, serverContext }) {
      withRequestId(request, serverContext as RequestNotes);
    },
    onParams({ params, context }) {
      const name = params.operationName;
      (context as RequestNotes).loggedOperationName = typeof name === "string" ? name.slice(0, MAX_LOGGED_NAME) : null;
    },
    onExecute({ args }) {
      const name = getOperationAST(args.document, args.operationName)?.name?.value;
      if (name) (args.contextValue as RequestNotes).loggedOperationName = name;
    },
    onResultProcess({ result, serverContext }) {
      const errors = (result as ExecutionResult).errors;
      (serverContext as RequestNotes).loggedErrorCodes = errors?.length
        ? errors.map((e) => String(e.extensions?.code ?? "UNKNOWN"))
        : NO_CODES;
    },
    onResponse({ request, response, serverContext }) {
      // Also here: an onRequest hook before ours (GraphiQL, CORS preflight) may have answered already.
      const notes = withRequestId(request, serverContext as RequestNotes);
      writeRequestLine({
        requestId: notes.requestId,
        method: request.method,
        status: response.status,
        durationMs: notes.receivedAt === undefined ? null : elapsedMs(notes.receivedAt),
        operationName: notes.loggedOperationName ?? null,
        errorCodes: notes.loggedErrorCodes ?? NO_CODES,
        userHash: notes.caller ? hashUserId(notes.caller.id) : null,
      });
    },
  };
}

// A caller's requests repeat: one SHA-256 per user instead of one per request.
const userHashes = new BoundedMap<string, string>(10_000);

/** A stable pseudonym (SHA-256, 64 bits), so logs correlate per user without naming the user. */
function hashUserId(id: string): string {
  let hash = userHashes.get(id);
  if (hash === undefined) {
    hash = createHash("sha256").update(id).digest("hex").slice(0, 16);
    userHashes.set(id, hash);
  }
  return hash;
}
