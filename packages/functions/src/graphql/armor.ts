import { blockFieldSuggestionsPlugin } from "@escape.tech/graphql-armor-block-field-suggestions";
import { maxAliasesPlugin } from "@escape.tech/graphql-armor-max-aliases";
import { maxDepthPlugin } from "@escape.tech/graphql-armor-max-depth";
import { maxDirectivesPlugin } from "@escape.tech/graphql-armor-max-directives";
import { complexityFromQuery } from "@pothos/plugin-complexity";
import {
  BREAK,
  getOperationAST,
  GraphQLError,
  isInterfaceType,
  isObjectType,
  Kind,
  NoSchemaIntrospectionCustomRule,
  parse,
  type ASTVisitor,
  type DocumentNode,
  type GraphQLSchema,
  type OperationDefinitionNode,
  type ParseOptions,
  type Source,
  type ValidationContext,
  visit,
} from "graphql";
import type { Plugin } from "graphql-yoga";
import { clientError, unexpected } from "./errors.ts";

/**
 * Every limit on the shape and run time of one GraphQL request, in one place (README "Security
 * and limits"). The shape limits are graphql-armor's defaults and the cost is
 * @pothos/plugin-complexity's, counted the way real clients' compiled queries need (fragments
 * flattened, pages priced at the size requested); the schema's
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
   * @pothos/plugin-complexity's price (every field 1, a page × the size requested). Calibrated so
   * one full `notes(first: 100)` page with every field passes with room for a few more (1,801;
   * Apollo's, with its `__typename`s, 2,401) and two such pages do not (query-cost.test.ts
   * re-checks this from the schema).
   */
  maxCost: 3_000,
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

/**
 * @pothos/plugin-complexity prices the request as it will run: after validation, with the
 * variables at hand (yoga caches validation per document, so a validation rule never sees them).
 * Every field costs 1 and a page multiplies what it selects by the size requested (the
 * `complexity` option on `notes` and `nodes`); fragments cost what their fields would cost written
 * in place. The refusal is ours: a 400 with no data (the plugin's own check runs inside the root
 * resolvers, where it could only null the fields).
 */
function useCostLimit(maxCost: number): Plugin {
  // A price depends on variables only through the arguments of fields priced by a function (a
  // page's `first`): any other document (note(id: $id), a page of a literal size) is priced once
  // per parsed document (yoga caches those), not on every request. A kept price is every caller's:
  // no complexity function of the schema reads the context. Once kept, variables that do not
  // coerce meet this rule before graphql-js's own error (the same code and status).
  const documents = new WeakMap<DocumentNode, { variablesPrice: boolean; costs: Map<string | null | undefined, number> }>();
  return {
    onExecute({ args, setResultAndStopExecution }) {
      const { schema, document, operationName } = args;
      let known = documents.get(document);
      if (!known) documents.set(document, (known = { variablesPrice: usesPricingVariables(schema, document), costs: new Map() }));
      let cost = known.costs.get(operationName);
      if (cost === undefined) {
        const operation = getOperationAST(document, operationName);
        if (!operation) return;
        cost = operationCost(schema, document, operation, args.variableValues, args.contextValue);
        if (cost !== undefined && !known.variablesPrice) known.costs.set(operationName, cost);
      }
      if (cost !== undefined && cost > maxCost) {
        setResultAndStopExecution({ errors: [costLimitError(maxCost, cost)] });
      }
    },
  };
}

/** The names of the fields the schema prices with a function of their arguments (any type's). */
const pricedByArguments = new WeakMap<GraphQLSchema, ReadonlySet<string>>();

function fieldsPricedByArguments(schema: GraphQLSchema): ReadonlySet<string> {
  let names = pricedByArguments.get(schema);
  if (!names) {
    names = new Set(
      Object.values(schema.getTypeMap())
        .filter((type) => isObjectType(type) || isInterfaceType(type))
        .flatMap((type) => Object.values(type.getFields()))
        .filter((field) => typeof field.extensions?.complexity === "function")
        .map((field) => field.name),
    );
    pricedByArguments.set(schema, names);
  }
  return names;
}

/** Whether a variable reaches an argument of a field priced by a function (by name: a superset). */
function usesPricingVariables(schema: GraphQLSchema, document: DocumentNode): boolean {
  const priced = fieldsPricedByArguments(schema);
  let uses = false;
  visit(document, {
    Field(field) {
      if (!priced.has(field.name.value)) return;
      for (const argument of field.arguments ?? []) {
        visit(argument, {
          Variable() {
            uses = true;
            return BREAK;
          },
        });
      }
      if (uses) return BREAK;
    },
  });
  return uses;
}

function costLimitError(maxCost: number, cost: number): GraphQLError {
  // Fragment fan-outs reach costs like 7e21; "over 10^12" reads better than exponent notation.
  const found = cost > 1e12 ? "over 10^12" : String(cost);
  return clientError(`Query Cost limit of ${maxCost} exceeded, found ${found}.`, "GRAPHQL_VALIDATION_FAILED", 400);
}

/**
 * The cost of the operation a request runs, or undefined when its variables do not coerce
 * (execution then refuses them with its own error).
 */
export function operationCost(
  schema: GraphQLSchema,
  document: DocumentNode,
  operation: OperationDefinitionNode,
  variables: Record<string, unknown> | null | undefined,
  context: unknown = {},
): number | undefined {
  // The plugin prices a document's first operation: it is handed the one this request runs.
  const fragments = document.definitions.filter((definition) => definition.kind === Kind.FRAGMENT_DEFINITION);
  try {
    return complexityFromQuery(
      { kind: Kind.DOCUMENT, definitions: [operation, ...fragments] },
      { schema, variables: variables ?? {}, ctx: context as object },
    ).complexity;
  } catch (error) {
    if (error instanceof GraphQLError) return undefined;
    throw error;
  }
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
            const requestId = (args.contextValue as { requestId?: string }).requestId;
            resolve({ data: null, errors: [unexpected("execution timed out", { requestId, timeoutMs })] });
          }, timeoutMs);
        });
        return Promise.race([executeFn(args), timedOut]).finally(() => clearTimeout(timer));
      });
    },
  };
}
