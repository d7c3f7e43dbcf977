import { Metrics, MetricUnit } from "@aws-lambda-powertools/metrics";
import { observeAwsCalls, type AwsCall } from "@notes/core/aws-calls";
import type { Context as LambdaContext } from "aws-lambda";
// No import attribute: SST bundles the Lambda with esbuild 0.18, which cannot parse `with { type: "json" }`.
import trustedDocuments from "./graphql/trusted-documents.json";

/**
 * The function's one Powertools Metrics, made at module load: CloudWatch EMF lines in the log,
 * which CloudWatch turns into metrics in AWS (locally they are log lines). Powertools reads
 * POWERTOOLS_METRICS_NAMESPACE, POWERTOOLS_SERVICE_NAME and POWERTOOLS_METRICS_DISABLED.
 * docs/operations.md lists every metric; stacks/monitoring.ts alarms on them.
 *
 * Each group of metrics with its own dimensions is published as one line as soon as it is
 * recorded (everything here is synchronous, so groups never mix): per request, per AWS call.
 */
const SERVICE = process.env.POWERTOOLS_SERVICE_NAME?.trim() || "notes-api";
export const metrics = new Metrics({
  namespace: process.env.POWERTOOLS_METRICS_NAMESPACE?.trim() || "NotesApi",
  serviceName: SERVICE,
});

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
const seenErrorCodes = new Set<string>();

function errorCodeDimension(code: string): string {
  if (!ERROR_CODE.test(code)) return "OTHER";
  if (!seenErrorCodes.has(code) && seenErrorCodes.size >= MAX_ERROR_CODES) return "OTHER";
  seenErrorCodes.add(code);
  return code;
}

/** What the metrics of one request need (the request line's fields). */
export interface RequestOutcome {
  status: number;
  durationMs: number | null;
  operationName: string | null;
  errorCodes: readonly string[];
}

/**
 * Per request: Requests (1), Latency, Faults (1 for a 5xx or an INTERNAL_SERVER_ERROR, else 0, so
 * its average is the fault rate) by operation; Errors (1 per distinct code) by extensions.code.
 */
export function recordRequest(outcome: RequestOutcome): void {
  const { operationName, errorCodes } = outcome;
  const operation = operationName !== null && KNOWN_OPERATIONS.has(operationName) ? operationName : OTHER_OPERATION;
  metrics.addDimensions({});
  metrics.addDimensions({ operation });
  metrics.addMetric("Requests", MetricUnit.Count, 1);
  if (outcome.durationMs !== null) metrics.addMetric("Latency", MetricUnit.Milliseconds, outcome.durationMs);
  const fault = outcome.status >= 500 || errorCodes.includes("INTERNAL_SERVER_ERROR");
  metrics.addMetric("Faults", MetricUnit.Count, fault ? 1 : 0);
  metrics.publishStoredMetrics();
  for (const code of new Set(errorCodes)) {
    metrics.addDimension("code", errorCodeDimension(code));
    metrics.addMetric("Errors", MetricUnit.Count, 1);
    metrics.publishStoredMetrics();
  }
}

/** Per AWS SDK call: AwsCallLatency (retries included), AwsCallRetries, AwsCallFailures (0/1). */
export function recordAwsCall(call: AwsCall): void {
  // awsService is in both dimension sets: a default dimension for this line (Powertools' way for that).
  metrics.setDefaultDimensions({ awsService: call.service });
  metrics.addDimensions({});
  metrics.addDimensions({ awsOperation: call.operation });
  metrics.addMetric("AwsCallLatency", MetricUnit.Milliseconds, Math.round(call.durationMs * 100) / 100);
  metrics.addMetric("AwsCallRetries", MetricUnit.Count, call.attempts - 1);
  metrics.addMetric("AwsCallFailures", MetricUnit.Count, call.failed ? 1 : 0);
  metrics.publishStoredMetrics();
  metrics.clearDefaultDimensions();
  metrics.setDefaultDimensions({ service: SERVICE });
}

observeAwsCalls(recordAwsCall);

/** ColdStart (1) by function_name, on the first invocation of an on-demand environment (Powertools decides). */
export function recordInvocation(context: LambdaContext): void {
  metrics.captureColdStartMetric(context.functionName);
}
