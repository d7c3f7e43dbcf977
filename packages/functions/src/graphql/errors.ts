import { VisibleError } from "@notes/core/errors";
import { GraphQLError, type ExecutionResult } from "graphql";
import type { Plugin } from "graphql-yoga";
import type { Context } from "./context.ts";
import { log } from "../log.ts";

export const UNEXPECTED_MESSAGE = "Unexpected error.";

/**
 * The one place that decides what a client sees of a failure: a VisibleError becomes a
 * GraphQL error with its stable code; anything else is logged with the request id and
 * replaced by a masked INTERNAL_SERVER_ERROR. Parse and validation errors pass unchanged.
 */
export function formatError(error: GraphQLError, requestId: string | undefined): GraphQLError {
  const original = error.originalError;
  if (!original || original instanceof GraphQLError) return error;
  if (original instanceof VisibleError) {
    return new GraphQLError(original.message, {
      nodes: error.nodes,
      path: error.path,
      extensions: { ...original.details, code: original.code },
    });
  }
  log.error("unexpected error", { requestId, path: error.path?.join("."), error: original });
  return maskedError(error);
}

function maskedError(error?: GraphQLError): GraphQLError {
  return new GraphQLError(UNEXPECTED_MESSAGE, {
    nodes: error?.nodes,
    path: error?.path,
    extensions: { code: "INTERNAL_SERVER_ERROR" },
  });
}

/** Applies formatError to every execution result, where the request id is at hand. */
export function useErrorFormatter(): Plugin<Context> {
  return {
    onExecute() {
      return {
        onExecuteDone({ args, result, setResult }) {
          const single = result as ExecutionResult;
          if (!single.errors?.length) return;
          const requestId = (args.contextValue as Context).requestId;
          setResult({ ...single, errors: single.errors.map((e) => formatError(e, requestId)) });
        },
      };
    },
  };
}

/**
 * yoga's own masking hook, for failures outside execution (e.g. the context factory): the
 * same masked shape, logged the same way.
 */
export function maskUnexpected(error: unknown): Error {
  if (error instanceof GraphQLError) {
    const original = error.originalError;
    if (!original || original instanceof GraphQLError) return error;
    if (original instanceof VisibleError) return formatError(error, undefined);
    log.error("unexpected error", { error: original });
    return maskedError(error);
  }
  log.error("unexpected error", { error });
  return maskedError();
}
