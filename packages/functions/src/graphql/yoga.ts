import { createHash, randomUUID } from "node:crypto";
import {
  createLRUCache,
  createYoga,
  type GraphiQLOptions,
  type Plugin,
  type YogaServerInstance,
} from "graphql-yoga";
import { getOperationAST, type ExecutionResult } from "graphql";
import type { VerifyAuthorization } from "../auth.ts";
import type { Context } from "./context.ts";
import { armorPlugins, queryLimits, useExecutionTimeout } from "./armor.ts";
import { maskUnexpected, useErrorFormatter, useParameterJsonErrors } from "./errors.ts";
import { schema } from "./schema.ts";
import { useTrustedDocuments } from "./trusted-documents.ts";
import { elapsedMs, log, logRequest, type RequestLogFields } from "../log.ts";
import { recordRequest } from "../metrics.ts";

/** What each runtime (Lambda, local server) hands to yoga with a request. */
export interface ServerContext {
  requestId?: string;
  /** performance.now() when the runtime received the request (the log line's duration). */
  receivedAt?: number;
}

export interface NotesYogaOptions {
  verifyAuthorization: VerifyAuthorization;
  /** GraphiQL on GET /graphql from a browser (true, or GraphiQL options such as defaultQuery). */
  graphiql?: boolean | GraphiQLOptions;
  /** Replaces yoga's CDN-based GraphiQL page (the local server renders it offline). */
  renderGraphiQL?: (options?: Record<string, unknown>) => string | Promise<string>;
  /** A stage whose schema is not public (staging, prod): no field suggestions, no introspection. */
  protectedStage?: boolean;
  /** Schema introspection (`__schema`, `__type`); default: on, except in protected stages. */
  introspection?: boolean;
  /** Run only the trusted documents' hashes (TRUSTED_DOCUMENTS_ONLY); default false: any query runs. */
  trustedDocumentsOnly?: boolean;
  /** Overrides queryLimits.executionTimeoutMs. */
  executionTimeoutMs?: number;
}

export type NotesYoga = YogaServerInstance<ServerContext, Context>;

/** Queries longer than this are parsed each time: a cache of 1 MB strings would hold gigabytes. */
const MAX_CACHED_QUERY_CHARS = 16_384;

export function createNotesYoga(options: NotesYogaOptions): NotesYoga {
  const protectedStage = options.protectedStage ?? false;
  const introspection = options.introspection ?? !protectedStage;
  const hideSuggestions = protectedStage || !introspection;
  return createYoga<ServerContext, Context>({
    schema,
    graphqlEndpoint: "/graphql",
    landingPage: false,
    batching: false,
    // File uploads are not part of the API; without this, multipart bodies reach a parser.
    multipart: false,
    // Both runtimes enforce MAX_BODY_BYTES before yoga sees a byte (http/limits.ts).
    maxRequestBodySize: false,
    parserAndValidationCache: {
      documentCache: boundedQueryCache(),
      errorCache: boundedQueryCache(),
    },
    graphiql: options.graphiql ?? false,
    renderGraphiQL: options.renderGraphiQL,
    logging: {
      // yoga calls debug several times per request; below DEBUG the arguments are not even packed.
      debug: (...args: unknown[]) => {
        if (log.isDebugEnabled()) forwardTo(log.debug)(...args);
      },
      info: forwardTo(log.info),
      warn: forwardTo(log.warn),
      // yoga reports masked errors here; they are already logged with the request id.
      error: () => {},
    },
    maskedErrors: { maskError: maskUnexpected },
    context: async ({ request, requestId }) => ({
      requestId: requestId ?? randomUUID(),
      caller: await options.verifyAuthorization(request.headers.get("authorization"), requestId),
    }),
    plugins: [
      useRequestLog(),
      useTrustedDocuments({ only: options.trustedDocumentsOnly ?? false }),
      ...armorPlugins({ hideSuggestions, introspection }),
      useErrorFormatter({ hideSuggestions }),
      useParameterJsonErrors(),
      useExecutionTimeout(options.executionTimeoutMs ?? queryLimits.executionTimeoutMs),
    ],
  });
}

/** yoga's logger calls (message, ...details) as one structured line. */
function forwardTo(write: (message: string, fields?: Record<string, unknown>) => void) {
  return (...args: unknown[]) =>
    write(String(args[0]), args.length > 1 ? { args: args.slice(1) } : undefined);
}

function boundedQueryCache<T>() {
  const cache = createLRUCache<T & {}>();
  return {
    get: (query: string) => cache.get(query),
    set(query: string, value: T & {}) {
      if (query.length <= MAX_CACHED_QUERY_CHARS) cache.set(query, value);
    },
  };
}

const runtimeRequests = new WeakMap<Request, ServerContext>();
// whatwg-node derives each request's context from a given one with Object.create: a new hidden class per request (docs/decisions/2026-11-25-no-server-context-object.md).
const NO_SERVER_CONTEXT = undefined as unknown as ServerContext;

/**
 * How the runtimes (Lambda, local server) hand yoga a request, with their request id and arrival
 * time kept beside the Request instead of in a serverContext object.
 */
export async function handleRuntimeRequest(
  yoga: NotesYoga,
  url: string,
  init: RequestInit,
  runtime: ServerContext,
): Promise<Response> {
  const request = new yoga.fetchAPI.Request(url, init);
  runtimeRequests.set(request, runtime);
  return yoga.handleRequest(request, NO_SERVER_CONTEXT);
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
 * One structured line per HTTP request, whatever ended it (a result, a parse or validation
 * error, a 4xx from request parsing, GraphiQL): request id, method, status, operation,
 * duration, error codes and a hash of the caller's id. Never headers, variables or content.
 */
function useRequestLog(): Plugin<Context, ServerContext> {
  return {
    onRequest({ request, serverContext }) {
      withRequestId(request, serverContext as RequestNotes);
    },
    onParams({ params, context }) {
      const name = params.operationName;
      (context as RequestNotes).loggedOperationName =
        typeof name === "string" ? name.slice(0, MAX_LOGGED_NAME) : null;
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
      const fields: RequestLogFields = {
        requestId: notes.requestId,
        method: request.method,
        status: response.status,
        durationMs: notes.receivedAt === undefined ? null : elapsedMs(notes.receivedAt),
        operationName: notes.loggedOperationName ?? null,
        errorCodes: notes.loggedErrorCodes ?? NO_CODES,
        userHash: notes.caller ? hashUserId(notes.caller.id) : null,
      };
      logRequest(fields);
      recordRequest(fields);
    },
  };
}

const userHashes = new Map<string, string>();
const USER_HASHES_LIMIT = 10_000;

/** A stable pseudonym (SHA-256, 64 bits), so logs correlate per user without naming the user. */
export function hashUserId(id: string): string {
  // A caller's requests repeat: one SHA-256 per user instead of one per request.
  let hash = userHashes.get(id);
  if (hash === undefined) {
    hash = createHash("sha256").update(id).digest("hex").slice(0, 16);
    if (userHashes.size >= USER_HASHES_LIMIT) userHashes.delete(userHashes.keys().next().value!);
    userHashes.set(id, hash);
  }
  return hash;
}
