import { Metrics, MetricUnit } from "@aws-lambda-powertools/metrics";
import { observeAwsCalls, type AwsCall } from "@notes/core/aws-calls";
import type { Context as LambdaContext } from "aws-lambda";
// No import attribute: SST bundles the Lambda with esbuild 0.18, which cannot parse `with { type: "json" }`.
import trustedDocuments from "./graphql/trusted-documents.json";
import { log, writeLogLine, type RequestLogFields } from "./log.ts";

/**
 * CloudWatch metrics as Embedded Metric Format lines (Powertools Metrics), written to the log
 * with the request lines: CloudWatch turns them into metrics in AWS; locally they are log lines.
 * POWERTOOLS_METRICS_DISABLED=true turns them off (docs/operations.md lists every metric).
 *
 * Each document below has fixed dimensions. A request adds its values to them; they are written
 * together when the Lambda invocation returns or, on the local server, once per event-loop turn
 * (several requests' values in one line, as EMF arrays).
 */
export const METRICS_NAMESPACE = process.env.POWERTOOLS_METRICS_NAMESPACE?.trim() || "NotesApi";
const SERVICE = process.env.POWERTOOLS_SERVICE_NAME ?? "notes-api";

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

type Unit = (typeof MetricUnit)[keyof typeof MetricUnit];

/** A document's parts that do not change between writes, as Powertools serializes them. */
interface Template {
  /** `"CloudWatchMetrics"` value: namespace, dimension sets, metric names and units. */
  directive: string;
  /** `,"service":…` and the other dimension values, in Powertools' order. */
  dimensions: string;
}

/**
 * One EMF document: fixed dimensions and a few metrics, several values each. Powertools Metrics
 * serializes the document's first line of each shape (validating names and units); the lines
 * after that are assembled from its parts, since Powertools' per-line assembly (environment reads,
 * spreads, collision checks) costs ≈ 18 µs against ≈ 2 µs (docs/operations.md).
 * test/metrics.test.ts holds every line equal to Powertools' own serialization of its values.
 */
class Document {
  readonly #names: string[] = [];
  readonly #units: Unit[] = [];
  readonly #values: number[][] = [];
  readonly #templates = new Map<string, Template>();
  #dirty = false;
  #pending = 0;

  /** A dimension in every set is a default one: Powertools warns, per write, of a key in two sets. */
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

  #serializeTemplate(): Template {
    const metrics = new Metrics({
      namespace: METRICS_NAMESPACE,
      serviceName: SERVICE,
      defaultDimensions: this.defaultDimensions,
    });
    for (const set of this.dimensionSets) metrics.addDimensions(set);
    for (let i = 0; i < this.#names.length; i++) {
      if (this.#values[i]!.length > 0) metrics.addMetric(this.#names[i]!, this.#units[i]!, 0);
    }
    const { _aws, ...members } = metrics.serializeMetrics();
    let dimensions = "";
    for (const [key, value] of Object.entries(members)) {
      if (typeof value === "string") dimensions += `,${JSON.stringify(key)}:${JSON.stringify(value)}`;
    }
    return { directive: JSON.stringify(_aws.CloudWatchMetrics), dimensions };
  }
}

/** What Powertools accepts as a boolean setting (its extended parsing). */
const BOOLEAN_WORDS = new Set(["1", "y", "yes", "t", "true", "on", "0", "n", "no", "f", "false", "off"]);

/**
 * An empty POWERTOOLS_METRICS_DISABLED counts as unset and any other non-boolean is dropped with
 * a warning: Powertools throws on it in every Metrics constructor, which would fail each cold start.
 */
export function checkMetricsSetting(env: NodeJS.ProcessEnv): string | undefined {
  const value = env.POWERTOOLS_METRICS_DISABLED;
  if (value === undefined || BOOLEAN_WORDS.has(value.trim().toLowerCase())) return undefined;
  delete env.POWERTOOLS_METRICS_DISABLED;
  return value.trim() === "" ? undefined : `POWERTOOLS_METRICS_DISABLED "${value}" is not true or false; metrics stay on`;
}

const settingProblem = checkMetricsSetting(process.env);
if (settingProblem) log.warn(settingProblem);

/** Powertools' own reading of POWERTOOLS_METRICS_DISABLED (and of POWERTOOLS_DEV, which turns them off by default). */
class SettingsProbe extends Metrics {
  get off(): boolean {
    return this.isDisabled();
  }
}

let enabled = !new SettingsProbe({ namespace: METRICS_NAMESPACE, serviceName: SERVICE }).off;
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
  document.add("Requests", MetricUnit.Count, 1);
  if (fields.durationMs !== null) document.add("Latency", MetricUnit.Milliseconds, fields.durationMs);
  document.add("Faults", MetricUnit.Count, fault ? 1 : 0);
  document.done();
  for (let i = 0; i < codes.length; i++) {
    // One count per code and request, however many errors of that code the response holds.
    if (codes.indexOf(codes[i]!) !== i) continue;
    const codeDocument = errorCodeDocument(codes[i]!);
    codeDocument.add("Errors", MetricUnit.Count, 1);
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
  document.add("AwsCallLatency", MetricUnit.Milliseconds, Math.round(call.durationMs * 100) / 100);
  document.add("AwsCallRetries", MetricUnit.Count, call.attempts - 1);
  document.add("AwsCallFailures", MetricUnit.Count, call.failed ? 1 : 0);
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
  document.add("ColdStart", MetricUnit.Count, 1);
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
