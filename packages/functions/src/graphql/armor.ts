import { blockFieldSuggestionsPlugin } from "@escape.tech/graphql-armor-block-field-suggestions";
import { costLimitPlugin } from "@escape.tech/graphql-armor-cost-limit";
import { maxAliasesPlugin } from "@escape.tech/graphql-armor-max-aliases";
import { maxDepthPlugin } from "@escape.tech/graphql-armor-max-depth";
import { maxDirectivesPlugin } from "@escape.tech/graphql-armor-max-directives";
import {
  GraphQLError,
  NoSchemaIntrospectionCustomRule,
  parse,
  type ParseOptions,
  type Source,
  type ValidationContext,
} from "graphql";
import type { Plugin } from "graphql-yoga";
import { log } from "../log.ts";
import { UNEXPECTED_MESSAGE } from "./errors.ts";

/**
 * Every limit on the shape and run time of one GraphQL request, in one place (README "Security
 * and limits"). The shape limits are graphql-armor's defaults; the notes schema's deepest real
 * query (notes → edges → node → field) has depth 4, and a full `notes(first: 100)` page costs 3,950.
 */
export const queryLimits = {
  /** Aliased fields per operation (`__typename` aliases are free). */
  maxAliases: 15,
  /** Nesting of selection sets, fragments included; introspection's `__schema` is exempt. */
  maxDepth: 6,
  /** Directives per operation, fragments included. */
  maxDirectives: 50,
  /** Lexical tokens in the query text: bounds parsing before any other work. */
  maxTokens: 1_000,
  /** graphql-armor's cost: objects 2, scalars 1, ×1.5 per level, × literal `first`. */
  maxCost: 5_000,
  /** Wall-clock budget for executing one operation (below the Lambda's 10 s timeout). */
  executionTimeoutMs: 8_000,
} as const;

/** The query-shape plugins, built once; `hideSuggestions` for stages whose schema is not public. */
export function armorPlugins(options: { hideSuggestions: boolean; introspection: boolean }): Plugin[] {
  const rejected = { propagateOnRejection: false, onReject: [reportValidationError] };
  const plugins: Plugin[] = [
    useMaxTokens(queryLimits.maxTokens),
    maxAliasesPlugin({ n: queryLimits.maxAliases, ...rejected }),
    maxDepthPlugin({ n: queryLimits.maxDepth, ...rejected }),
    maxDirectivesPlugin({ n: queryLimits.maxDirectives, ...rejected }),
    costLimitPlugin({ maxCost: queryLimits.maxCost, ...rejected }),
  ];
  if (!options.introspection) plugins.push(useNoIntrospection());
  if (options.hideSuggestions) plugins.push(blockFieldSuggestionsPlugin());
  return plugins;
}

/**
 * armor throws "Syntax Error: …" from inside validation, which yoga answers without a code;
 * reported as a validation error instead, it becomes GRAPHQL_VALIDATION_FAILED with a 400.
 */
function reportValidationError(context: ValidationContext | null, error: GraphQLError): void {
  context?.reportError(new GraphQLError(error.message.replace(/^Syntax Error: /, "")));
}

/**
 * graphql-js's own token limit rather than graphql-armor-max-tokens: that plugin deep-imports
 * graphql's CommonJS parser, a second copy of graphql in the ESM Lambda bundle whose errors yoga
 * does not recognise (every syntax error came out masked). Over the limit the parser stops at once
 * and yoga answers GRAPHQL_PARSE_FAILED.
 */
function useMaxTokens(maxTokens: number): Plugin {
  const parseWithLimit = (source: string | Source, options?: ParseOptions) =>
    parse(source, { ...options, maxTokens });
  return {
    onParse({ setParseFn }) {
      setParseFn(parseWithLimit);
    },
  };
}

function useNoIntrospection(): Plugin {
  return {
    onValidate({ addValidationRule }) {
      addValidationRule(NoSchemaIntrospectionCustomRule);
    },
  };
}

/**
 * Bounds the execution of each operation: past the budget the client gets the masked error (the
 * resolvers' late result is dropped), so a slow dependency never holds a request open unbounded.
 */
export function useExecutionTimeout(timeoutMs: number): Plugin<{ requestId?: string }> {
  return {
    onExecute({ executeFn, setExecuteFn }) {
      setExecuteFn((args) => {
        let timer: NodeJS.Timeout | undefined;
        const timedOut = new Promise<{ data: null; errors: GraphQLError[] }>((resolve) => {
          timer = setTimeout(() => {
            log.error("execution timed out", {
              requestId: (args.contextValue as { requestId?: string }).requestId,
              timeoutMs,
            });
            resolve({ data: null, errors: [timeoutError()] });
          }, timeoutMs);
        });
        return Promise.race([executeFn(args), timedOut]).finally(() => clearTimeout(timer));
      });
    },
  };
}

function timeoutError(): GraphQLError {
  return new GraphQLError(UNEXPECTED_MESSAGE, { extensions: { code: "INTERNAL_SERVER_ERROR" } });
}
