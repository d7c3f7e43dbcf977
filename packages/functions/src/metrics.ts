import { observeAwsCalls, type AwsCall } from "@notes/core/aws-calls";
import type { Context as LambdaContext } from "aws-lambda";
import { powertoolsBoolean } from "./env-flag.ts";
// No import attribute: SST bundles the Lambda with esbuild 0.18, which cannot parse `with { type: "json" }`.
import trustedDocuments from "./graphql/trusted-documents.json";
import { log, writeLogLine, type RequestLogFields } from "./log.ts";

/**
 * CloudWatch metrics as Embedded Metric Format lines, written to the log with the request lines:
 * CloudWatch turns them into metrics in AWS; locally they are log lines.
 * POWERTOOLS_METRICS_DISABLED=true turns them off (docs/operations.md lists every metric).
 *
 * Each document below has fixed dimensions. A request adds its values to them; they are written
 * together when the Lambda invocation returns or, on the local server, once per event-loop turn
 * (several requests' values in one line, as EMF arrays). The lines are the ones Powertools Metrics
 * writes for the same values (same keys, key order, dimension sets and settings), assembled here
 * from precomputed fragments; test/metrics.test.ts holds them equal to Powertools' own output.
 */
export const METRICS_NAMESPACE = process.env.POWERTOOLS_METRICS_NAMESPACE?.trim() || "NotesApi";
// Powertools' rules: an empty service name is "service_undefined", a blank one is no dimension.
const SERVICE = (process.env.POWERTOOLS_SERVICE_NAME ?? "notes-api") || "service_undefined";
const SERVICE_DIMENSION: Dimensions = SERVICE.trim() ? { service: SERVICE } : {};

/**
 * The web app's operations, named in the trusted-documents manifest that `npm run codegen` keeps:
 * the only operation names that become a dimension, so a client choosing names cannot create
 * metrics. Read with a pattern, not a parser, on a cold start; test/metrics.test.ts parses them.
 */
export const KNOWN_OPERATIONS: ReadonlySet<string> = new Set(
  Object.values<string>(trustedDocuments).flatMap((text) =>
    [...text.matchAll(/(?:^|[\s}])(?:query|mutation|subscription)\s+([_A-Za-z][_0-9A-Za-z]*)/g)].map((match) => match[1]!),
  ),
);
/** The operation dimension of every other request (other clients, no operation, refused before parsing). */
export const OTHER_OPERATION = "other";

/** Error codes are the server's constants; past this many distinct ones (a bug) they count as OTHER. */
const MAX_ERROR_CODES = 32;
const ERROR_CODE = /^[A-Z][A-Z0-9_]{0,63}$/;
/** EMF holds at most 100 values per metric; a document is written before it gets there. */
const MAX_VALUES = 99;

type Dimensions = Record<string, string>;

type Unit = "Count" | "Milliseconds";

/** A document's parts that do not change between writes, in Powertools' serialization. */
interface Template {
  /** `"CloudWatchMetrics"` value: namespace, dimension sets, metric names and units. */
  directive: string;
  /** `,"service":…` and the other dimension values, in Powertools' order. */
  dimensions: string;
}

/**
 * One EMF document: fixed dimensions and a few metrics, several values each. Its namespace,
 * dimension sets and metric definitions are serialized once per shape (which metrics have values);
 * a line adds the timestamp and the values. Powertools' per-line assembly (environment reads,
 * spreads, collision checks) cost ≈ 18 µs against ≈ 2 µs (docs/operations.md).
 */
class Document {
  readonly #names: string[] = [];
  readonly #units: Unit[] = [];
  readonly #values: number[][] = [];
  readonly #templates = new Map<string, Template>();
  #dirty = false;
  #pending = 0;

  /** A dimension in every set is a default one, as with Powertools (which warns of a key in two sets). */
  constructor(
    private readonly dimensionSets: readonly Dimensions[],
    private readonly defaultDimensions: Dimensions = {},
  ) {}

  add(name: string, unit: Unit, value: number): void {
    if (!this.#dirty) {
      this.#dirty = true;
      pendingDocuments.push(this);
      scheduleFlush();
    }
    let index = this.#names.indexOf(name);
    if (index === -1) {
      index = this.#names.push(name) - 1;
      this.#units.push(unit);
      this.#values.push([]);
    }
    this.#values[index]!.push(value);
  }

  /** Counts one request's (or call's) worth of values; writes the document before EMF's limit. */
  done(): void {
    if (++this.#pending >= MAX_VALUES) this.write();
  }

  write(): void {
    if (!this.#dirty) return;
    this.#dirty = false;
    this.#pending = 0;
    let shape = "";
    for (let i = 0; i < this.#names.length; i++) if (this.#values[i]!.length > 0) shape += `${i},`;
    let template = this.#templates.get(shape);
    if (!template) {
      template = this.#serializeTemplate();
      this.#templates.set(shape, template);
    }
    let line = `{"_aws":{"Timestamp":${Date.now()},"CloudWatchMetrics":${template.directive}}${template.dimensions}`;
    for (let i = 0; i < this.#names.length; i++) {
      const values = this.#values[i]!;
      if (values.length === 0) continue;
      line += `,"${this.#names[i]}":${values.length === 1 ? values[0] : `[${values.join(",")}]`}`;
      values.length = 0;
    }
    (sink ?? writeLogLine)(`${line}}`);
  }

  /**
   * Powertools' layout: the default dimensions (service first) start every dimension set, or are
   * the one set when there is none; members are the default dimensions, then each set's, in order.
   */
  #serializeTemplate(): Template {
    const defaults = { ...SERVICE_DIMENSION, ...this.defaultDimensions };
    const defaultNames = Object.keys(defaults);
    const sets = this.dimensionSets.length > 0 ? this.dimensionSets : [{}];
    const members: Dimensions = { ...defaults };
    for (const set of sets) Object.assign(members, set);
    const metrics: { Name: string; Unit: Unit }[] = [];
    for (let i = 0; i < this.#names.length; i++) {
      if (this.#values[i]!.length > 0) metrics.push({ Name: this.#names[i]!, Unit: this.#units[i]! });
    }
    const directive = JSON.stringify([
      {
        Namespace: METRICS_NAMESPACE,
        Dimensions: sets.map((set) => [...new Set([...defaultNames, ...Object.keys(set)])]),
        Metrics: metrics,
      },
    ]);
    let dimensions = "";
    for (const [key, value] of Object.entries(members)) dimensions += `,${JSON.stringify(key)}:${JSON.stringify(value)}`;
    return { directive, dimensions };
  }
}

/**
 * An empty POWERTOOLS_METRICS_DISABLED counts as unset and any other non-boolean is dropped with
 * a warning, where Powertools Metrics would throw on it and fail every cold start.
 */
export function checkMetricsSetting(env: NodeJS.ProcessEnv): string | undefined {
  const value = env.POWERTOOLS_METRICS_DISABLED;
  if (value === undefined || powertoolsBoolean(value) !== undefined) return undefined;
  delete env.POWERTOOLS_METRICS_DISABLED;
  return value.trim() === "" ? undefined : `POWERTOOLS_METRICS_DISABLED "${value}" is not true or false; metrics stay on`;
}

const settingProblem = checkMetricsSetting(process.env);
if (settingProblem) log.warn(settingProblem);

/**
 * Powertools' reading, once checkMetricsSetting has dropped anything else: POWERTOOLS_METRICS_DISABLED
 * decides when set; unset, POWERTOOLS_DEV (a true word) turns metrics off.
 */
export function metricsDisabled(env: NodeJS.ProcessEnv): boolean {
  const setting = env.POWERTOOLS_METRICS_DISABLED;
  return powertoolsBoolean(setting !== undefined ? setting : env.POWERTOOLS_DEV) === true;
}

let enabled = !metricsDisabled(process.env);
let sink: ((line: string) => void) | undefined;
const pendingDocuments: Document[] = [];
let flushScheduled = false;

const byOperation = new Map<string, Document>();
const byErrorCode = new Map<string, Document>();
const byAwsCall = new Map<string, Document>();

function operationDocument(operationName: string | null): Document {
  const operation = operationName !== null && KNOWN_OPERATIONS.has(operationName) ? operationName : OTHER_OPERATION;
  let document = byOperation.get(operation);
  if (!document) {
    document = new Document([{}, { operation }]);
    byOperation.set(operation, document);
  }
  return document;
}

function errorCodeDocument(given: string): Document {
  let code = ERROR_CODE.test(given) ? given : "OTHER";
  let document = byErrorCode.get(code);
  if (!document) {
    if (byErrorCode.size >= MAX_ERROR_CODES) code = "OTHER";
    document = byErrorCode.get(code) ?? new Document([{ code }]);
    byErrorCode.set(code, document);
  }
  return document;
}

/**
 * Per request: Requests (1), Latency, Faults (1 for a 5xx or an INTERNAL_SERVER_ERROR, else 0, so
 * its average is the fault rate) by operation; Errors (1 per code) by extensions.code.
 */
export function recordRequest(fields: RequestLogFields): void {
  if (!enabled) return;
  const document = operationDocument(fields.operationName);
  const codes = fields.errorCodes;
  const fault = fields.status >= 500 || codes.includes("INTERNAL_SERVER_ERROR");
  document.add("Requests", "Count", 1);
  if (fields.durationMs !== null) document.add("Latency", "Milliseconds", fields.durationMs);
  document.add("Faults", "Count", fault ? 1 : 0);
  document.done();
  for (let i = 0; i < codes.length; i++) {
    // One count per code and request, however many errors of that code the response holds.
    if (codes.indexOf(codes[i]!) !== i) continue;
    const codeDocument = errorCodeDocument(codes[i]!);
    codeDocument.add("Errors", "Count", 1);
    codeDocument.done();
  }
}

/** Per AWS SDK call: AwsCallLatency (retries included), AwsCallRetries, AwsCallFailures (0/1). */
export function recordAwsCall(call: AwsCall): void {
  if (!enabled) return;
  const key = `${call.service}.${call.operation}`;
  let document = byAwsCall.get(key);
  if (!document) {
    document = new Document([{}, { awsOperation: call.operation }], { awsService: call.service });
    byAwsCall.set(key, document);
  }
  document.add("AwsCallLatency", "Milliseconds", Math.round(call.durationMs * 100) / 100);
  document.add("AwsCallRetries", "Count", call.attempts - 1);
  document.add("AwsCallFailures", "Count", call.failed ? 1 : 0);
  document.done();
}

observeAwsCalls(recordAwsCall);

let firstInvocation = true;

/**
 * ColdStart (1) with Powertools' dimensions (service, function_name) on the first invocation of an
 * on-demand environment; provisioned and SnapStart environments were started ahead of any request.
 */
export function recordInvocation(context: LambdaContext): void {
  if (!firstInvocation) return;
  firstInvocation = false;
  if (!enabled || process.env.AWS_LAMBDA_INITIALIZATION_TYPE?.trim() !== "on-demand") return;
  const document = new Document([{ function_name: context.functionName }]);
  document.add("ColdStart", "Count", 1);
  document.done();
}

function scheduleFlush(): void {
  if (flushScheduled) return;
  flushScheduled = true;
  setImmediate(flushMetrics);
}

/** Writes every document holding values (the Lambda adapter calls it before it returns). */
export function flushMetrics(): void {
  flushScheduled = false;
  for (const document of pendingDocuments.splice(0)) document.write();
}

/** Turns metrics on and hands each EMF line to `next` (tests); returns a function that restores the default. */
export function captureMetrics(next: (line: string) => void): () => void {
  flushMetrics();
  const previous = { enabled, sink };
  enabled = true;
  sink = next;
  return () => {
    flushMetrics();
    ({ enabled, sink } = previous);
  };
}
