import { randomUUID } from "node:crypto";
import { createYoga, type GraphiQLOptions, type Plugin, type YogaServerInstance } from "graphql-yoga";
import type { ExecutionResult } from "graphql";
import type { VerifyAuthorization } from "../auth.ts";
import type { Context } from "./context.ts";
import { maskUnexpected, useErrorFormatter } from "./errors.ts";
import { schema } from "./schema.ts";
import { log } from "../log.ts";

/** What each runtime (Lambda, local server) hands to yoga with a request. */
export interface ServerContext {
  requestId?: string;
}

export interface NotesYogaOptions {
  verifyAuthorization: VerifyAuthorization;
  /** GraphiQL on GET /graphql from a browser (true, or GraphiQL options such as defaultQuery). */
  graphiql?: boolean | GraphiQLOptions;
  /** Replaces yoga's CDN-based GraphiQL page (the local server renders it offline). */
  renderGraphiQL?: (options?: Record<string, unknown>) => string | Promise<string>;
}

export type NotesYoga = YogaServerInstance<ServerContext, Context>;

export function createNotesYoga(options: NotesYogaOptions): NotesYoga {
  return createYoga<ServerContext, Context>({
    schema,
    graphqlEndpoint: "/graphql",
    landingPage: false,
    batching: false,
    graphiql: options.graphiql ?? false,
    renderGraphiQL: options.renderGraphiQL,
    logging: {
      debug: (...args) => log.debug(String(args[0]), { args: args.slice(1) }),
      info: (...args) => log.info(String(args[0]), { args: args.slice(1) }),
      warn: (...args) => log.warn(String(args[0]), { args: args.slice(1) }),
      // yoga reports masked errors here; they are already logged with the request id.
      error: () => {},
    },
    maskedErrors: { maskError: maskUnexpected },
    context: async ({ request, requestId }) => ({
      requestId: requestId ?? randomUUID(),
      caller: await options.verifyAuthorization(request.headers.get("authorization")),
    }),
    plugins: [useErrorFormatter(), useRequestLog()],
  });
}

/** One structured line per GraphQL request: id, operation, duration, error codes. */
function useRequestLog(): Plugin<Context> {
  return {
    onExecute({ args }) {
      const started = performance.now();
      return {
        onExecuteDone({ result }) {
          const context = args.contextValue as Context;
          const errors = (result as ExecutionResult).errors ?? [];
          log.info("graphql request", {
            requestId: context.requestId,
            operationName: args.operationName ?? null,
            durationMs: Math.round((performance.now() - started) * 100) / 100,
            errorCodes: errors.map((e) => e.extensions?.code ?? "UNKNOWN"),
            userHash: context.caller ? hashUserId(context.caller.id) : null,
          });
        },
      };
    },
  };
}

/** A short stable pseudonym, so logs can be correlated per user without naming the user. */
function hashUserId(id: string): string {
  let hash = 0x811c9dc5;
  for (let i = 0; i < id.length; i++) hash = Math.imul(hash ^ id.charCodeAt(i), 0x01000193);
  return (hash >>> 0).toString(16).padStart(8, "0");
}
