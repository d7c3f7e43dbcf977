import { blockFieldSuggestionsPlugin } from "@escape.tech/graphql-armor-block-field-suggestions";
import { maxAliasesPlugin } from "@escape.tech/graphql-armor-max-aliases";
import { maxDepthPlugin } from "@escape.tech/graphql-armor-max-depth";
import { maxDirectivesPlugin } from "@escape.tech/graphql-armor-max-directives";
import * as Note from "@notes/core/note";
import {
  getArgumentValues,
  getNamedType,
  getOperationAST,
  getVariableValues,
  GraphQLError,
  isInterfaceType,
  isObjectType,
  Kind,
  NoSchemaIntrospectionCustomRule,
  parse,
  type ASTVisitor,
  type DocumentNode,
  type FieldNode,
  type FragmentDefinitionNode,
  type GraphQLField,
  type GraphQLNamedType,
  type GraphQLSchema,
  type ParseOptions,
  type SelectionSetNode,
  type Source,
  type ValidationContext,
  type ValueNode,
} from "graphql";
import type { Plugin } from "graphql-yoga";
import { log } from "../log.ts";
import { UNEXPECTED_MESSAGE } from "./errors.ts";
import { MAX_NODE_IDS } from "./relay.ts";

/**
 * Every limit on the shape and run time of one GraphQL request, in one place (README "Security
 * and limits"). The shape limits are graphql-armor's defaults, counted the way real clients'
 * compiled queries need (fragments flattened, pages priced at the size requested); the schema's
 * deepest real query (notes → edges → node → field) has depth 4, 5 with an object on Note.
 */
export const queryLimits = {
  /** Aliased fields per operation (`__typename` aliases are free). */
  maxAliases: 15,
  /** Nesting of fields; fragments (spread or inline) add no level; introspection's `__schema` is exempt. */
  maxDepth: 6,
  /** Directives per operation, fragments included. */
  maxDirectives: 50,
  /** Lexical tokens in the query text: bounds parsing before any other work. */
  maxTokens: 1_000,
  /**
   * graphql-armor's cost formula (objects 2, scalars 1, ×1.5 per level, × page size), priced at
   * the page size requested. Calibrated so one full `notes(first: 100)` page with every Note field
   * and the full PageInfo passes with room for a few more fields (6,762.5 with the attachment's
   * four fields) and two such pages do not (query-cost.test.ts re-checks this from
   * the schema).
   */
  maxCost: 8_000,
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
    maxDepthPlugin({ n: queryLimits.maxDepth, flattenFragments: true, ...rejected }),
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
 * graphql-armor's cost formula and message, priced on the request as it will run: after
 * validation, with the variables at hand (yoga caches validation per document, so a validation
 * rule never sees them). A list field multiplies by the items it can return: a page by its
 * `first`/`last` as requested (a variable's value, or the schema default), `nodes(ids:)` by the
 * ids given, both at most the API's maximum (larger ones are refused by the resolver anyway).
 * Fragments cost what their fields would cost written in place (Relay's and Apollo's compiled
 * queries are fragments all the way down), and `__typename`, which every client adds, is free.
 */
function useCostLimit(maxCost: number): Plugin {
  // Most documents' cost does not depend on their variables (note(id:), a page of a literal size):
  // priced once per parsed document (yoga caches those), not on every request.
  const fixedCosts = new WeakMap<DocumentNode, Map<string | null | undefined, number>>();
  return {
    onExecute({ args, setResultAndStopExecution }) {
      let known = fixedCosts.get(args.document);
      let cost = known?.get(args.operationName);
      if (cost === undefined) {
        const priced = priceOperation(args.schema, args.document, args.operationName, args.variableValues);
        cost = priced?.cost;
        if (priced && !priced.dependsOnVariables) {
          if (!known) fixedCosts.set(args.document, (known = new Map()));
          known.set(args.operationName, priced.cost);
        }
      }
      if (cost !== undefined && cost > maxCost) {
        setResultAndStopExecution({ errors: [costLimitError(maxCost, cost)] });
      }
    },
  };
}

function costLimitError(maxCost: number, cost: number): GraphQLError {
  // Fragment fan-outs reach costs like 7e21; "over 10^12" reads better than exponent notation.
  const found = cost > 1e12 ? "over 10^12" : String(Math.round(cost * 10) / 10);
  return new GraphQLError(`Query Cost limit of ${maxCost} exceeded, found ${found}.`, {
    extensions: { code: "GRAPHQL_VALIDATION_FAILED", http: { status: 400 } },
  });
}

/** What a list field may return at most, per argument that sizes it. */
const LIST_SIZE_MAX: Record<string, number> = {
  first: Note.limits.pageSizeMax,
  last: Note.limits.pageSizeMax,
  ids: MAX_NODE_IDS,
};

/**
 * The cost of the operation a request runs, or undefined when a variable it is priced by does not
 * coerce (execution then refuses it with its own error).
 */
export function operationCost(
  schema: GraphQLSchema,
  document: DocumentNode,
  operationName: string | null | undefined,
  variables: Record<string, unknown> | null | undefined,
): number | undefined {
  return priceOperation(schema, document, operationName, variables)?.cost;
}

/** Thrown inside the pricing walk when the variables a list size needs do not coerce. */
const UNCOERCIBLE = Symbol("variables do not coerce");

function priceOperation(
  schema: GraphQLSchema,
  document: DocumentNode,
  operationName: string | null | undefined,
  variables: Record<string, unknown> | null | undefined,
): { cost: number; dependsOnVariables: boolean } | undefined {
  const operation = getOperationAST(document, operationName);
  if (!operation) return undefined;
  // Coerced only when a list size is given by a variable; most operations never need them.
  let variableValues: Record<string, unknown> | undefined;
  const coercedVariables = (): Record<string, unknown> => {
    if (variableValues === undefined) {
      const coerced = getVariableValues(schema, operation.variableDefinitions ?? [], variables ?? {}, {
        maxErrors: 1,
      });
      if (coerced.errors) throw UNCOERCIBLE;
      variableValues = coerced.coerced;
    }
    return variableValues;
  };
  const fragments = new Map<string, FragmentDefinitionNode>();
  for (const definition of document.definitions) {
    if (definition.kind === Kind.FRAGMENT_DEFINITION) fragments.set(definition.name.value, definition);
  }
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
          const fragment = fragments.get(name);
          const condition = fragment && schema.getType(fragment.typeCondition.name.value);
          fragmentCosts.set(name, fragment ? selectionsCost(fragment.selectionSet, condition ?? undefined) : 0);
        }
        cost += fragmentCosts.get(name)!;
      }
    }
    return cost;
  };

  const listSize = (node: FieldNode, field: GraphQLField<unknown, unknown>): number => {
    const sizing = field.args.filter((arg) => arg.name in LIST_SIZE_MAX);
    if (sizing.length === 0) return 1;
    // getArgumentValues coerces every argument of the field, so any variable among them needs the values.
    const byVariable = node.arguments?.some((argument) => containsVariable(argument.value)) ?? false;
    let values: Record<string, unknown>;
    try {
      values = getArgumentValues(field, node, byVariable ? coercedVariables() : NO_VARIABLES);
    } catch (error) {
      if (error === UNCOERCIBLE) throw error;
      return 1; // an argument that does not coerce fails the field at execution, before any page is read
    }
    let size = 1;
    for (const arg of sizing) {
      const value = values[arg.name];
      const given = Array.isArray(value) ? value.length : typeof value === "number" ? value : 1;
      size = Math.max(size, Math.min(given, LIST_SIZE_MAX[arg.name]!));
    }
    return size;
  };

  const fieldCost = (node: FieldNode, parentType: GraphQLNamedType | undefined): number => {
    // Introspection is exempt, as in armor (and off in protected stages); __typename costs nothing to resolve.
    if (node.name.value === "__schema" || node.name.value === "__typename") return 0;
    if (!node.selectionSet) return COST.scalar;
    const field =
      parentType && (isObjectType(parentType) || isInterfaceType(parentType))
        ? parentType.getFields()[node.name.value]
        : undefined;
    const multiplier = field ? listSize(node, field) : 1;
    return (COST.object + selectionsCost(node.selectionSet, field && getNamedType(field.type))) * multiplier;
  };

  const root = schema.getRootType(operation.operation) ?? undefined;
  try {
    // The operation's own fields are not multiplied by the depth factor (armor's rule).
    const cost = selectionsCost(operation.selectionSet, root) / COST.depthFactor;
    return { cost, dependsOnVariables: variableValues !== undefined };
  } catch (error) {
    if (error === UNCOERCIBLE) return undefined;
    throw error;
  }
}

const NO_VARIABLES: Record<string, unknown> = Object.freeze({});

function containsVariable(value: ValueNode | undefined): boolean {
  if (!value) return false;
  if (value.kind === Kind.VARIABLE) return true;
  if (value.kind === Kind.LIST) return value.values.some(containsVariable);
  if (value.kind === Kind.OBJECT) return value.fields.some((field) => containsVariable(field.value));
  return false;
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
