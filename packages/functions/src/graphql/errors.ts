import { databaseFault } from "@notes/core/dynamo";
import { VisibleError } from "@notes/core/errors";
import { GraphQLError, type ExecutionResult } from "graphql";
import type { Plugin } from "graphql-yoga";
import type { Context } from "./context.ts";
import { log } from "../log.ts";

/**
 * The one place that decides what a client sees of a failure, for every layer (yoga's hooks, the
 * query limits, trusted documents, the runtimes' refusals): an expected failure is a GraphQL error
 * with a stable code (and an HTTP status where it ends the request); anything else (a bug, or
 * DynamoDB unreachable, slow or throttling) is logged with the request id and masked as
 * INTERNAL_SERVER_ERROR "Unexpected error.". Parse and validation errors pass unchanged.
 */
export const UNEXPECTED_MESSAGE = "Unexpected error.";

/** An expected failure's shape: message, stable code, and the HTTP status if it ends the request. */
export function clientErrorShape(message: string, code: string, status?: number) {
  return { message, extensions: status === undefined ? { code } : { code, http: { status } } };
}

/** The same, as an error to throw or return from a yoga hook. */
export function clientError(message: string, code: string, status?: number): GraphQLError {
  const { extensions } = clientErrorShape(message, code, status);
  return new GraphQLError(message, { extensions });
}

/** The JSON body of a refusal the runtimes answer themselves, before yoga. */
export function clientErrorBody(message: string, code: string): string {
  return JSON.stringify({ errors: [clientErrorShape(message, code)] });
}

/** The body of a 500 for the rare failure outside yoga (a broken response stream). */
export const UNEXPECTED_FAILURE_BODY = JSON.stringify({ errors: [{ message: UNEXPECTED_MESSAGE }] });

/** Logs a failure nobody expected, with what is known of it, and returns the masked error for the client. */
export function unexpected(message: string, fields: Record<string, unknown>, at?: GraphQLError): GraphQLError {
  log.error(message, fields);
  return maskedError(at);
}

/** A resolver's error as the client sees it: a VisibleError with its code, anything else masked and logged. */
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
  const fields = { requestId, path: error.path?.join("."), fault: databaseFault(original), error: original };
  return unexpected("unexpected error", fields, error);
}

function maskedError(error?: GraphQLError): GraphQLError {
  return new GraphQLError(UNEXPECTED_MESSAGE, {
    nodes: error?.nodes,
    path: error?.path,
    extensions: { code: "INTERNAL_SERVER_ERROR" },
  });
}

/**
 * Errors of a result without `data` are request errors raised before any resolver ran (variables
 * of the wrong type, an unknown operation name): the SPEC's GRAPHQL_VALIDATION_FAILED.
 */
function requestError(error: GraphQLError, hideSuggestions: boolean): GraphQLError {
  if (error.extensions.code !== undefined) return error;
  return new GraphQLError(hideSuggestions ? withoutSuggestions(error.message) : error.message, {
    nodes: error.nodes,
    source: error.source,
    positions: error.positions,
    extensions: { ...error.extensions, code: "GRAPHQL_VALIDATION_FAILED" },
  });
}

function isFromGraphQL(error: GraphQLError): boolean {
  return !error.originalError || error.originalError instanceof GraphQLError;
}

/** Variable coercion names near-miss input fields, which reveals the schema like a suggestion. */
function withoutSuggestions(message: string): string {
  return message.replace(/ ?Did you mean .+\?/g, "");
}

/** Applies formatError to every execution result, where the request id is at hand. */
export function useErrorFormatter(options: { hideSuggestions: boolean }): Plugin<Context> {
  const { hideSuggestions } = options;
  return {
    onExecute() {
      return {
        onExecuteDone({ args, result, setResult }) {
          const single = result as ExecutionResult;
          if (!single.errors?.length) return;
          const requestId = (args.contextValue as Context).requestId;
          const beforeResolvers = single.data === undefined;
          setResult({
            ...single,
            errors: single.errors.map((e) =>
              beforeResolvers && isFromGraphQL(e) ? requestError(e, hideSuggestions) : formatError(e, requestId),
            ),
          });
        },
      };
    },
  };
}

/**
 * yoga's GET (and form-encoded POST) parser runs JSON.parse on the `variables` and `extensions`
 * parameters and lets a SyntaxError through, which would be masked as a server fault (200,
 * INTERNAL_SERVER_ERROR, an ERROR log line). Malformed JSON is the client's: 400 BAD_REQUEST, as
 * for a malformed POST body. The JSON body parser (the hot path) is left alone: yoga already
 * answers it so.
 */
export function useParameterJsonErrors(): Plugin {
  const asBadRequest = (error: unknown): never => {
    if (!(error instanceof SyntaxError)) throw error;
    throw clientError("The variables or extensions parameter is not valid JSON.", "BAD_REQUEST", 400);
  };
  return {
    onRequestParse({ request, requestParser, setRequestParser }) {
      if (!requestParser) return;
      const contentType = request.headers.get("content-type") ?? "";
      if (request.method !== "GET" && !contentType.startsWith("application/x-www-form-urlencoded")) return;
      setRequestParser((parsed: Request) => {
        try {
          const params = requestParser(parsed);
          // The form parser reads the body first: a promise (whatwg-node's, not always a native one).
          return isThenable(params) ? Promise.resolve(params).catch(asBadRequest) : params;
        } catch (error) {
          return asBadRequest(error);
        }
      });
    },
  };
}

function isThenable<T>(value: T | PromiseLike<T>): value is PromiseLike<T> {
  return typeof (value as { then?: unknown } | null)?.then === "function";
}

/**
 * yoga's own masking hook, for failures outside execution (request parsing, the context
 * factory): the same masked shape, logged the same way. Details yoga would attach to a
 * client error (`originalError`: the JSON parser's message) are dropped.
 */
export function maskUnexpected(error: unknown): Error {
  if (error instanceof GraphQLError) {
    return isFromGraphQL(error) ? withoutInternals(error) : formatError(error, undefined);
  }
  return unexpected("unexpected error", { fault: databaseFault(error), error });
}

function withoutInternals(error: GraphQLError): GraphQLError {
  if (!("originalError" in error.extensions)) return error;
  const { originalError: _dropped, http, ...extensions } = error.extensions as {
    originalError?: unknown;
    http?: Record<string, unknown>;
  };
  return new GraphQLError(error.message, {
    nodes: error.nodes,
    source: error.source,
    positions: error.positions,
    path: error.path,
    // Without originalError yoga would answer application/json clients 200; keep the spec's 400.
    extensions: { ...extensions, ...(http && { http: { ...http, spec: false } }) },
  });
}
