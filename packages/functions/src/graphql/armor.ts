import { blockFieldSuggestionsPlugin } from "@escape.tech/graphql-armor-block-field-suggestions";
import { maxAliasesPlugin } from "@escape.tech/graphql-armor-max-aliases";
import { maxDepthPlugin } from "@escape.tech/graphql-armor-max-depth";
import { maxDirectivesPlugin } from "@escape.tech/graphql-armor-max-directives";
import * as Note from "@notes/core/note";
import {
  getNamedType,
  GraphQLError,
  isInterfaceType,
  isObjectType,
  Kind,
  NoSchemaIntrospectionCustomRule,
  parse,
  type ASTVisitor,
  type FieldNode,
  type GraphQLNamedType,
  type OperationDefinitionNode,
  type ParseOptions,
  type SelectionSetNode,
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
  /**
   * graphql-armor's cost formula and defaults (objects 2, scalars 1, ×1.5 per level, × `first`),
   * with `first` read as the worst case: a variable counts as the largest page, an omitted `first`
   * as its default page (armor counts both as 1, so `notes(first: $n)` was nearly free).
   */
  maxCost: 5_000,
  /** Wall-clock budget for executing one operation (below the Lambda's 10 s timeout). */
  executionTimeoutMs: 8_000,
} as const;

/** The query-shape plugins, built once; `hideSuggestions` for stages whose schema is not public. */
export function armorPlugins(options: { hideSuggestions: boolean; introspection: boolean }): Plugin[] {
  const rejected = { propagateOnRejection: false, onReject: [reportValidationError] };
  const plugins: Plugin[] = [
    useMaxTokens(queryLimits.maxTokens),
    useKnownOperationTypes(),
    maxAliasesPlugin({ n: queryLimits.maxAliases, ...rejected }),
    maxDepthPlugin({ n: queryLimits.maxDepth, ...rejected }),
    maxDirectivesPlugin({ n: queryLimits.maxDirectives, ...rejected }),
    useCostLimit(queryLimits.maxCost),
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

const COST = { object: 2, scalar: 1, depthFactor: 1.5 } as const;

/**
 * graphql-armor's cost limit (same formula, message and defaults), except for two things armor
 * gets wrong for this API. What a list field's `first`/`last` multiplies by: validation results
 * are cached per document, before variables are known, so the bound must hold for any variables;
 * a variable counts as the largest page the API serves, an omitted argument as its schema default
 * (armor counts both as 1). And fragments cost what their fields would cost written in place
 * (armor charges each spread an extra level, which would refuse the web app's own page query once
 * its `$first` counts as 100).
 */
function useCostLimit(maxCost: number): Plugin {
  return useValidationRule((context) => ({
    OperationDefinition(operation) {
      const cost = operationCost(context, operation);
      if (cost > maxCost) {
        // Fragment fan-outs reach costs like 7e21; "over 10^12" reads better than exponent notation.
        const found = cost > 1e12 ? "over 10^12" : String(Math.round(cost * 10) / 10);
        reportValidationError(context, new GraphQLError(`Query Cost limit of ${maxCost} exceeded, found ${found}.`));
      }
    },
  }));
}

function operationCost(context: ValidationContext, operation: OperationDefinitionNode): number {
  const schema = context.getSchema();
  const fragmentCosts = new Map<string, number>();
  /** What a selection set's fields cost one level down, fragments counted as if written in place. */
  const selectionsCost = (selectionSet: SelectionSetNode, type: GraphQLNamedType | undefined): number => {
    let cost = 0;
    for (const child of selectionSet.selections) {
      if (child.kind === Kind.FIELD) cost += COST.depthFactor * fieldCost(child, type);
      else if (child.kind === Kind.INLINE_FRAGMENT) {
        const condition = child.typeCondition && schema.getType(child.typeCondition.name.value);
        cost += selectionsCost(child.selectionSet, condition ?? type);
      } else {
        const name = child.name.value;
        if (!fragmentCosts.has(name)) {
          fragmentCosts.set(name, 0); // a cycle adds nothing; NoFragmentCycles rejects it anyway
          const fragment = context.getFragment(name);
          const condition = fragment && schema.getType(fragment.typeCondition.name.value);
          fragmentCosts.set(name, fragment ? selectionsCost(fragment.selectionSet, condition ?? undefined) : 0);
        }
        cost += fragmentCosts.get(name)!;
      }
    }
    return cost;
  };
  const fieldCost = (node: FieldNode, parentType: GraphQLNamedType | undefined): number => {
    // Introspection is exempt, as in armor (and off in protected stages).
    if (node.name.value === "__schema") return 0;
    if (!node.selectionSet) return COST.scalar;
    const field =
      parentType && (isObjectType(parentType) || isInterfaceType(parentType))
        ? parentType.getFields()[node.name.value]
        : undefined;
    const given = node.arguments?.find((arg) => arg.name.value === "first" || arg.name.value === "last");
    const declared = field?.args.find((arg) => arg.name === "first" || arg.name === "last");
    let multiplier = 1;
    if (given?.value.kind === Kind.INT) multiplier = Math.max(1, parseInt(given.value.value, 10));
    else if (given?.value.kind === Kind.VARIABLE) multiplier = Note.limits.pageSizeMax;
    else if (!given && typeof declared?.defaultValue === "number") multiplier = declared.defaultValue;
    return (COST.object + selectionsCost(node.selectionSet, field && getNamedType(field.type))) * multiplier;
  };
  const root = schema.getRootType(operation.operation) ?? undefined;
  // The operation's own fields are not multiplied by the depth factor (armor's rule).
  return selectionsCost(operation.selectionSet, root) / COST.depthFactor;
}

/**
 * graphql-js 16 validates a `subscription` (or a `mutation`) against a schema without that root
 * type and fails only at execution, with an error no code is attached to. This schema has no
 * subscriptions: say so at validation, where it becomes GRAPHQL_VALIDATION_FAILED with a 400.
 */
export function useKnownOperationTypes(): Plugin {
  return useValidationRule((context) => ({
    OperationDefinition(operation) {
      if (!context.getSchema().getRootType(operation.operation)) {
        context.reportError(
          new GraphQLError(`The schema has no ${operation.operation} operations.`, { nodes: operation }),
        );
      }
    },
  }));
}

function useNoIntrospection(): Plugin {
  return useValidationRule(NoSchemaIntrospectionCustomRule);
}

/** A validation rule as a plugin (yoga caches validation per document, rules included). */
function useValidationRule(rule: (context: ValidationContext) => ASTVisitor): Plugin {
  return {
    onValidate({ addValidationRule }) {
      addValidationRule(rule);
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
