import { randomUUID } from "node:crypto";
import {
  createLRUCache,
  createYoga,
  type GraphiQLOptions,
  type Plugin,
  type YogaServerInstance,
} from "graphql-yoga";
import type { VerifyAuthorization } from "../auth.ts";
import type { Context } from "./context.ts";
import { armorPlugins, queryLimits, useExecutionTimeout } from "./armor.ts";
import { maskUnexpected, useErrorFormatter, useParameterJsonErrors } from "./errors.ts";
import { schema } from "./schema.ts";
import { useTrustedDocuments } from "./trusted-documents.ts";
import { log } from "../log.ts";
import { rememberRuntime, useRequestLog, type ServerContext } from "../request-log.ts";

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
        if (log.level <= DEBUG_LEVEL) forwardTo("debug")(...args);
      },
      info: forwardTo("info"),
      warn: forwardTo("warn"),
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

/** Powertools' threshold of DEBUG. */
const DEBUG_LEVEL = 8;

/** yoga's logger calls (message, ...details) as one structured line. */
function forwardTo(level: "debug" | "info" | "warn") {
  return (...args: unknown[]) => log[level](String(args[0]), ...(args.length > 1 ? [{ args: args.slice(1) }] : []));
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

const NO_SERVER_CONTEXT = undefined as unknown as ServerContext;

/**
 * How the runtimes (Lambda, local server) hand yoga a request, with their request id and arrival
 * time kept beside the Request (request-log.ts) instead of in a serverContext object.
 */
export async function handleRuntimeRequest(
  yoga: NotesYoga,
  url: string,
  init: RequestInit,
  runtime: ServerContext,
): Promise<Response> {
  const request = new yoga.fetchAPI.Request(url, init);
  rememberRuntime(request, runtime);
  return yoga.handleRequest(request, NO_SERVER_CONTEXT);
}
