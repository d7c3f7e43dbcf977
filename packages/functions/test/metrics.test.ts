import { randomUUID } from "node:crypto";
import { createServer } from "node:net";
import type { AddressInfo } from "node:net";
import type { AwsCall } from "@notes/core/aws-calls";
import { configureDynamo } from "@notes/core/dynamo";
import { ensureNotesTable, startEmbeddedDynamo, type EmbeddedDynamo } from "@notes/core/embedded-dynamo";
import { Metrics, type MetricUnit } from "@aws-lambda-powertools/metrics";
import type { Context as LambdaContext } from "aws-lambda";
import { Kind, parse, type DocumentNode } from "graphql";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi, type MockInstance } from "vitest";
import * as webDocuments from "../../web/src/gql/graphql.ts";
import trustedDocuments from "../src/graphql/trusted-documents.json";
import { createLambdaHandler } from "../src/http/lambda.ts";
import { MAX_BODY_BYTES } from "../src/http/limits.ts";
import { captureLogs, type RequestLogFields } from "../src/log.ts";
import {
  captureMetrics,
  checkMetricsSetting,
  flushMetrics,
  metricsDisabled,
  recordAwsCall,
  recordRequest,
  KNOWN_OPERATIONS,
  METRICS_NAMESPACE,
  OTHER_OPERATION,
} from "../src/metrics.ts";
import { apiGatewayEvent, graphqlPostEvent } from "./api-gateway-event.ts";
import { createTestYoga } from "./harness.ts";
import { createTestIssuer, type TestIssuer } from "./test-issuer.ts";

/**
 * The EMF lines the Lambda writes, parsed as CloudWatch parses them: every document valid,
 * and the names, units and dimensions docs/operations.md lists.
 */
interface EmfDocument {
  _aws: {
    Timestamp: number;
    CloudWatchMetrics: { Namespace: string; Dimensions: string[][]; Metrics: { Name: string; Unit: string }[] }[];
  };
  [key: string]: unknown;
}

const UNITS = new Set(["Count", "Milliseconds"]);
const TABLE = `notes-metrics-${randomUUID()}`;

let db: EmbeddedDynamo;
let issuer: TestIssuer;
let token: string;
let lines: string[] = [];
let restore: () => void;
let handler: ReturnType<typeof createLambdaHandler>;

const context = {
  awsRequestId: "7d2c4b6e-0000-4000-8000-000000000001",
  functionName: "notes-prod-Graphql",
  invokedFunctionArn: "arn:aws:lambda:us-east-1:123456789012:function:notes-prod-Graphql",
  memoryLimitInMB: "1024",
} as LambdaContext;

beforeAll(async () => {
  const restoreMetrics = captureMetrics((line) => lines.push(line));
  const restoreLogs = captureLogs(() => {}, "SILENT");
  restore = () => {
    restoreMetrics();
    restoreLogs();
  };
  db = await startEmbeddedDynamo();
  await ensureNotesTable(db.endpoint, TABLE);
  configureDynamo({ tableName: TABLE, endpoint: db.endpoint });
  issuer = await createTestIssuer();
  token = await issuer.token("metrics-user");
  handler = createLambdaHandler(createTestYoga(issuer));
});
afterAll(async () => {
  restore?.();
  vi.unstubAllEnvs();
  await db?.close();
});
let stderr: MockInstance;
beforeEach(() => {
  lines = [];
  stderr = vi.spyOn(process.stderr, "write");
});
afterEach(() => {
  // Powertools reports a malformed document (key collisions, bad names) on stderr, once per write.
  expect(stderr.mock.calls.map(([chunk]) => String(chunk))).toEqual([]);
  stderr.mockRestore();
});

/** The line Powertools Metrics itself serializes for a parsed line's dimensions, values and timestamp. */
function powertoolsLine(document: EmfDocument): string {
  const [directive] = document._aws.CloudWatchMetrics;
  const sets = directive!.Dimensions.map((set) => set.slice(1));
  const everywhere = sets.reduce((common, set) => common.filter((name) => set.includes(name)));
  const metrics = new Metrics({
    namespace: directive!.Namespace,
    serviceName: document.service as string,
    defaultDimensions: Object.fromEntries(everywhere.map((name) => [name, document[name] as string])),
  });
  for (const set of sets) {
    metrics.addDimensions(Object.fromEntries(set.filter((n) => !everywhere.includes(n)).map((n) => [n, document[n] as string])));
  }
  for (const { Name, Unit } of directive!.Metrics) {
    for (const value of [document[Name]].flat()) {
      metrics.addMetric(Name, Unit as (typeof MetricUnit)[keyof typeof MetricUnit], value as number);
    }
  }
  metrics.setTimestamp(document._aws.Timestamp);
  return JSON.stringify(metrics.serializeMetrics());
}

/** Every line parsed, checked against the EMF specification's structure and equal to Powertools' own. */
function documents(): EmfDocument[] {
  return lines.map((line) => {
    const document = JSON.parse(line) as EmfDocument;
    expect(line).toBe(powertoolsLine(document));
    expect(Number.isInteger(document._aws.Timestamp)).toBe(true);
    expect(document._aws.CloudWatchMetrics).toHaveLength(1);
    const [directive] = document._aws.CloudWatchMetrics;
    expect(directive!.Namespace).toBe(METRICS_NAMESPACE);
    expect(directive!.Dimensions.length).toBeGreaterThan(0);
    for (const set of directive!.Dimensions) {
      expect(set[0]).toBe("service");
      for (const name of set) expect(typeof document[name]).toBe("string");
    }
    for (const metric of directive!.Metrics) {
      expect(UNITS).toContain(metric.Unit);
      const values = [document[metric.Name]].flat();
      expect(values.length).toBeGreaterThan(0);
      expect(values.length).toBeLessThanOrEqual(100);
      for (const value of values) expect(typeof value).toBe("number");
    }
    return document;
  });
}

/** The documents whose dimension sets are exactly `sets`, with those dimension values. */
function withDimensions(sets: string[][], values: Record<string, string>): EmfDocument[] {
  return documents().filter(
    (document) =>
      JSON.stringify(document._aws.CloudWatchMetrics[0]!.Dimensions) === JSON.stringify(sets) &&
      Object.entries(values).every(([name, value]) => document[name] === value),
  );
}

function metricsOf(document: EmfDocument): Record<string, string> {
  return Object.fromEntries(document._aws.CloudWatchMetrics[0]!.Metrics.map((m) => [m.Name, m.Unit]));
}

const CREATE = "mutation CreateNote($input: CreateNoteInput!) { createNote(input: $input) { id } }";

describe("EMF metrics of the Lambda", () => {
  it("counts a cold start once, with Powertools' dimensions", async () => {
    vi.stubEnv("AWS_LAMBDA_INITIALIZATION_TYPE", "on-demand");
    await handler(graphqlPostEvent({ query: "{ __typename }" }), context);
    await handler(graphqlPostEvent({ query: "{ __typename }" }), context);
    const [coldStart, ...others] = withDimensions([["service", "function_name"]], { function_name: context.functionName });
    expect(others).toEqual([]);
    expect(metricsOf(coldStart!)).toEqual({ ColdStart: "Count" });
    expect(coldStart!.ColdStart).toBe(1);
  });

  it("records a known operation's request, latency and faults by operation, and its DynamoDB call", async () => {
    const result = await handler(
      graphqlPostEvent({ query: CREATE, operationName: "CreateNote", variables: { input: { content: "m" } } }, { token }),
      context,
    );
    expect(result.statusCode).toBe(200);
    const [request, ...more] = withDimensions([["service"], ["service", "operation"]], { operation: "CreateNote" });
    expect(more).toEqual([]);
    expect(metricsOf(request!)).toEqual({ Requests: "Count", Latency: "Milliseconds", Faults: "Count" });
    expect(request).toMatchObject({ service: "notes-api", Requests: 1, Faults: 0 });
    expect(request!.Latency).toBeGreaterThan(0);

    const [call] = withDimensions([["service", "awsService"], ["service", "awsService", "awsOperation"]], {
      awsService: "DynamoDB",
      awsOperation: "PutItem",
    });
    expect(metricsOf(call!)).toEqual({ AwsCallLatency: "Milliseconds", AwsCallRetries: "Count", AwsCallFailures: "Count" });
    expect(call).toMatchObject({ AwsCallRetries: 0, AwsCallFailures: 0 });
    expect(call!.AwsCallLatency).toBeGreaterThan(0);
    // The note's search index is written first (docs/search.md).
    const [indexWrite] = withDimensions([["service", "awsService"], ["service", "awsService", "awsOperation"]], {
      awsOperation: "BatchWriteItem",
    });
    expect(indexWrite).toMatchObject({ AwsCallRetries: 0, AwsCallFailures: 0 });
    // Written before the invocation returned: nothing is left for a later turn.
    await new Promise((resolve) => setImmediate(resolve));
    expect(lines).toHaveLength(3);
  });

  it("puts unknown operation names under `other` and counts errors by extensions.code", async () => {
    const invented = `Invented${randomUUID().slice(0, 8)}`;
    await handler(graphqlPostEvent({ query: `query ${invented} { notes { edges { cursor } } }` }), context);
    await handler(graphqlPostEvent({ query: "{ notes(" }), context);
    await handler(graphqlPostEvent({ query: "query Note { note(id: 1) { nope } }", operationName: "Note" }), context);

    expect(JSON.stringify(documents())).not.toContain(invented);
    expect(withDimensions([["service"], ["service", "operation"]], { operation: OTHER_OPERATION })).toHaveLength(2);
    expect(withDimensions([["service"], ["service", "operation"]], { operation: "Note" })).toHaveLength(1);
    const codes = withDimensions([["service", "code"]], {}).map((document) => {
      expect(metricsOf(document)).toEqual({ Errors: "Count" });
      return [document.code, document.Errors];
    });
    expect(codes.sort()).toEqual([
      ["GRAPHQL_PARSE_FAILED", 1],
      ["GRAPHQL_VALIDATION_FAILED", 1],
      ["UNAUTHENTICATED", 1],
    ]);
  });

  it("records requests refused before GraphQL (413) with their code", async () => {
    const event = apiGatewayEvent({ body: "x".repeat(MAX_BODY_BYTES + 1), headers: { "content-type": "application/json" } });
    expect((await handler(event, context)).statusCode).toBe(413);
    const [request] = withDimensions([["service"], ["service", "operation"]], { operation: OTHER_OPERATION });
    expect(request).toMatchObject({ Requests: 1, Faults: 0 });
    expect(withDimensions([["service", "code"]], { code: "PAYLOAD_TOO_LARGE" })).toHaveLength(1);
  });

  it("records retries and a failed DynamoDB call, and the masked error as a fault", async () => {
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, "127.0.0.1", resolve));
    const { port } = closed.address() as AddressInfo;
    await new Promise((resolve) => closed.close(resolve));
    configureDynamo({ tableName: TABLE, endpoint: `http://127.0.0.1:${port}`, maxAttempts: 2 });
    try {
      await handler(graphqlPostEvent({ query: CREATE, operationName: "CreateNote", variables: { input: { content: "m" } } }, { token }), context);
    } finally {
      configureDynamo({ tableName: TABLE, endpoint: db.endpoint });
    }
    // The first call of a create, the search index's write, fails: the note is never written.
    const [call] = withDimensions([["service", "awsService"], ["service", "awsService", "awsOperation"]], {
      awsOperation: "BatchWriteItem",
    });
    expect(call).toMatchObject({ AwsCallRetries: 1, AwsCallFailures: 1 });
    expect(withDimensions([["service", "awsService"], ["service", "awsService", "awsOperation"]], { awsOperation: "PutItem" })).toEqual([]);
    const [request] = withDimensions([["service"], ["service", "operation"]], { operation: "CreateNote" });
    expect(request).toMatchObject({ Requests: 1, Faults: 1 });
    expect(withDimensions([["service", "code"]], { code: "INTERNAL_SERVER_ERROR" })).toHaveLength(1);
  });
});

describe("EMF metrics of the local server (several requests per event-loop turn)", () => {
  const request = (durationMs: number) => ({
    requestId: "r",
    method: "POST",
    status: 200,
    durationMs,
    operationName: "NotesPage",
    errorCodes: ["BAD_USER_INPUT", "BAD_USER_INPUT"],
    userHash: null,
  });

  it("writes one line per document at the end of the turn, values as arrays, at most 99 each", async () => {
    for (let i = 0; i < 3; i++) recordRequest(request(i + 0.5));
    expect(lines).toEqual([]);
    await new Promise((resolve) => setImmediate(resolve));
    const [page] = withDimensions([["service"], ["service", "operation"]], { operation: "NotesPage" });
    expect(page).toMatchObject({ Requests: [1, 1, 1], Latency: [0.5, 1.5, 2.5], Faults: [0, 0, 0] });
    // Two errors of one code in a response count once.
    expect(withDimensions([["service", "code"]], { code: "BAD_USER_INPUT" })[0]!.Errors).toEqual([1, 1, 1]);

    lines = [];
    for (let i = 0; i < 150; i++) recordRequest(request(1));
    flushMetrics();
    const pages = withDimensions([["service"], ["service", "operation"]], { operation: "NotesPage" });
    expect(pages.map((document) => (document.Requests as number[]).length)).toEqual([99, 51]);
  });
});

describe("the operation dimension", () => {
  it("is every operation of the trusted-documents manifest, which holds every web app operation", () => {
    const operationNames = (documents: DocumentNode[]) =>
      documents
        .flatMap((document) => document.definitions)
        .flatMap((definition) => (definition.kind === Kind.OPERATION_DEFINITION ? [definition.name!.value] : []));
    const manifestNames = operationNames(Object.values(trustedDocuments).map((text) => parse(text)));
    expect([...KNOWN_OPERATIONS].sort()).toEqual([...new Set(manifestNames)].sort());
    const webNames = operationNames(
      Object.values(webDocuments).filter((value): value is DocumentNode => (value as DocumentNode)?.kind === Kind.DOCUMENT),
    );
    expect(webNames.length).toBeGreaterThan(0);
    for (const name of webNames) expect(KNOWN_OPERATIONS).toContain(name);
  });
});

describe("POWERTOOLS_METRICS_DISABLED", () => {
  it("keeps Powertools' booleans, treats empty as unset and drops anything else with a warning", () => {
    for (const value of ["true", " FALSE ", "1", "off", "yes"]) {
      const env: NodeJS.ProcessEnv = { POWERTOOLS_METRICS_DISABLED: value };
      expect(checkMetricsSetting(env)).toBeUndefined();
      expect(env.POWERTOOLS_METRICS_DISABLED).toBe(value);
    }
    const empty: NodeJS.ProcessEnv = { POWERTOOLS_METRICS_DISABLED: " " };
    expect(checkMetricsSetting(empty)).toBeUndefined();
    expect(empty).toEqual({});
    const typo: NodeJS.ProcessEnv = { POWERTOOLS_METRICS_DISABLED: "ture" };
    expect(checkMetricsSetting(typo)).toBe('POWERTOOLS_METRICS_DISABLED "ture" is not true or false; metrics stay on');
    expect(typo).toEqual({});
    expect(checkMetricsSetting({})).toBeUndefined();
  });
});

type Unit = (typeof MetricUnit)[keyof typeof MetricUnit];
type Dimensions = Record<string, string>;

/**
 * What the Lambda wrote with Powertools Metrics before it had its own EMF writer, for the same
 * inputs: one Metrics object per document (fixed dimensions), values added in call order.
 */
function powertoolsRecorder(namespace = METRICS_NAMESPACE, serviceName = "notes-api") {
  const documents = new Map<string, Metrics>();
  const document = (key: string, sets: Dimensions[], defaultDimensions: Dimensions = {}) => {
    let metrics = documents.get(key);
    if (!metrics) {
      metrics = new Metrics({ namespace, serviceName, defaultDimensions });
      for (const set of sets) metrics.addDimensions(set);
      documents.set(key, metrics);
    }
    return metrics;
  };
  const add = (metrics: Metrics, name: string, unit: Unit, value: number) => metrics.addMetric(name, unit, value);
  return {
    request(fields: RequestLogFields) {
      const known = fields.operationName !== null && KNOWN_OPERATIONS.has(fields.operationName);
      const operation = known ? fields.operationName! : OTHER_OPERATION;
      const byOperation = document(`operation ${operation}`, [{}, { operation }]);
      const fault = fields.status >= 500 || fields.errorCodes.includes("INTERNAL_SERVER_ERROR");
      add(byOperation, "Requests", "Count", 1);
      if (fields.durationMs !== null) add(byOperation, "Latency", "Milliseconds", fields.durationMs);
      add(byOperation, "Faults", "Count", fault ? 1 : 0);
      for (const code of new Set(fields.errorCodes)) {
        const normalized = /^[A-Z][A-Z0-9_]*$/.test(code) ? code : "OTHER";
        add(document(`code ${normalized}`, [{ code: normalized }]), "Errors", "Count", 1);
      }
    },
    awsCall(call: AwsCall) {
      const byCall = document(`call ${call.service}.${call.operation}`, [{}, { awsOperation: call.operation }], {
        awsService: call.service,
      });
      add(byCall, "AwsCallLatency", "Milliseconds", call.durationMs);
      add(byCall, "AwsCallRetries", "Count", call.attempts - 1);
      add(byCall, "AwsCallFailures", "Count", call.failed ? 1 : 0);
    },
    lines: () => [...documents.values()].map((metrics) => JSON.stringify(metrics.serializeMetrics())),
  };
}

const requestFields = (overrides: Partial<RequestLogFields>): RequestLogFields => ({
  requestId: "r",
  method: "POST",
  status: 200,
  durationMs: 1,
  operationName: "Note",
  errorCodes: [],
  userHash: null,
  ...overrides,
});

const REQUESTS: RequestLogFields[] = [
  requestFields({ operationName: "Note", durationMs: 1.5 }),
  requestFields({ operationName: "Invented", durationMs: 2.25, errorCodes: ["BAD_USER_INPUT", "BAD_USER_INPUT", "NOT_FOUND"] }),
  requestFields({ operationName: null, status: 413, durationMs: 0.31, errorCodes: ["PAYLOAD_TOO_LARGE"] }),
  requestFields({ operationName: "Note", status: 500, durationMs: null, errorCodes: ["INTERNAL_SERVER_ERROR"] }),
  requestFields({ operationName: "CreateNote", durationMs: 12345.67, errorCodes: ["not-a-code", "BAD_USER_INPUT"] }),
  requestFields({ operationName: "NotesPage", durationMs: 0, errorCodes: [] }),
];

const AWS_CALLS: AwsCall[] = [
  { service: "DynamoDB", operation: "GetItem", durationMs: 0.88, attempts: 1, failed: false },
  { service: "DynamoDB", operation: "Query", durationMs: 1.52, attempts: 1, failed: false },
  { service: "DynamoDB", operation: "GetItem", durationMs: 250.5, attempts: 3, failed: true },
  { service: "S3", operation: "HeadObject", durationMs: 12, attempts: 2, failed: false },
  { service: "DynamoDB", operation: "GetItem", durationMs: 0.5, attempts: 1, failed: false },
];

/** Powertools' own reading of POWERTOOLS_METRICS_DISABLED and POWERTOOLS_DEV (isDisabled is protected). */
class PowertoolsSettings extends Metrics {
  get off(): boolean {
    return this.isDisabled();
  }
}

/** metrics.ts (and the log.ts it writes through) imported afresh, under `env`. */
async function freshMetrics(env: Record<string, string | undefined>) {
  for (const [name, value] of Object.entries(env)) vi.stubEnv(name, value);
  vi.resetModules();
  return import("../src/metrics.ts");
}

describe("the same lines as Powertools Metrics, for the same values", () => {
  beforeEach(() => {
    // Both writers stamp lines with Date.now(): one frozen clock makes them comparable byte for byte.
    vi.useFakeTimers({ toFake: ["Date"], now: Date.UTC(2026, 11, 1, 12, 0, 0, 123) });
  });
  afterEach(() => {
    vi.useRealTimers();
    vi.unstubAllEnvs();
  });

  it("requests by operation and errors by code, several requests per line", () => {
    const powertools = powertoolsRecorder();
    for (const fields of REQUESTS) {
      recordRequest(fields);
      powertools.request(fields);
    }
    flushMetrics();
    expect(lines.length).toBeGreaterThan(5);
    expect([...lines].sort()).toEqual(powertools.lines().sort());
  });

  it("AWS calls by service and operation, retries and failures", () => {
    const powertools = powertoolsRecorder();
    for (const call of AWS_CALLS) {
      recordAwsCall(call);
      powertools.awsCall(call);
    }
    flushMetrics();
    expect(lines).toHaveLength(3);
    expect([...lines].sort()).toEqual(powertools.lines().sort());
  });

  it("the cold start: Powertools' own ColdStart line, once, only in an on-demand environment", async () => {
    for (const initialization of ["on-demand", "provisioned-concurrency", undefined]) {
      // npm test turns metrics off, Powertools' included.
      const fresh = await freshMetrics({ AWS_LAMBDA_INITIALIZATION_TYPE: initialization, POWERTOOLS_METRICS_DISABLED: undefined });
      const ours: string[] = [];
      const restoreFresh = fresh.captureMetrics((line) => ours.push(line));
      const written: string[] = [];
      const stdout = vi.spyOn(process.stdout, "write").mockImplementation((chunk: string | Uint8Array) => {
        written.push(String(chunk));
        return true;
      });
      try {
        const metrics = new Metrics({ namespace: fresh.METRICS_NAMESPACE, serviceName: "notes-api" });
        for (let i = 0; i < 2; i++) {
          fresh.recordInvocation(context);
          fresh.flushMetrics();
          metrics.captureColdStartMetric(context.functionName);
        }
      } finally {
        stdout.mockRestore();
        restoreFresh();
      }
      expect(ours.map((line) => `${line}\n`)).toEqual(written);
      expect(ours).toHaveLength(initialization === "on-demand" ? 1 : 0);
    }
  });

  it("namespace and service from the environment, as the Lambda passed them to Powertools", async () => {
    const cases: Record<string, string | undefined>[] = [
      { POWERTOOLS_METRICS_NAMESPACE: " NotesApi/prod ", POWERTOOLS_SERVICE_NAME: "notes-api-prod" },
      { POWERTOOLS_METRICS_NAMESPACE: "", POWERTOOLS_SERVICE_NAME: "" },
      { POWERTOOLS_METRICS_NAMESPACE: undefined, POWERTOOLS_SERVICE_NAME: undefined },
    ];
    for (const env of cases) {
      const fresh = await freshMetrics(env);
      const ours: string[] = [];
      const restoreFresh = fresh.captureMetrics((line) => ours.push(line));
      const powertools = powertoolsRecorder(fresh.METRICS_NAMESPACE, env.POWERTOOLS_SERVICE_NAME ?? "notes-api");
      try {
        fresh.recordRequest(REQUESTS[1]!);
        powertools.request(REQUESTS[1]!);
        fresh.recordAwsCall(AWS_CALLS[0]!);
        powertools.awsCall(AWS_CALLS[0]!);
      } finally {
        restoreFresh();
      }
      expect(fresh.METRICS_NAMESPACE).toBe(env.POWERTOOLS_METRICS_NAMESPACE?.trim() || "NotesApi");
      expect([...ours].sort()).toEqual(powertools.lines().sort());
    }
  });

  it("turned off exactly when Powertools turns itself off (POWERTOOLS_METRICS_DISABLED, else POWERTOOLS_DEV)", () => {
    const cases: [string | undefined, string | undefined][] = [
      ["true", undefined],
      [" ON ", undefined],
      ["1", undefined],
      ["false", "true"],
      ["no", undefined],
      [undefined, "true"],
      [undefined, "Yes"],
      [undefined, "false"],
      [undefined, "maybe"],
      [undefined, undefined],
    ];
    for (const [disabled, dev] of cases) {
      vi.stubEnv("POWERTOOLS_METRICS_DISABLED", disabled);
      vi.stubEnv("POWERTOOLS_DEV", dev);
      const powertoolsOff = new PowertoolsSettings({ namespace: METRICS_NAMESPACE }).off;
      expect([disabled, dev, metricsDisabled(process.env)]).toEqual([disabled, dev, powertoolsOff]);
    }
  });

  it("writes nothing when turned off", async () => {
    const fresh = await freshMetrics({ POWERTOOLS_METRICS_DISABLED: "true", AWS_LAMBDA_INITIALIZATION_TYPE: "on-demand" });
    const freshLog = await import("../src/log.ts");
    const written: string[] = [];
    const stdout = vi.spyOn(process.stdout, "write").mockImplementation((chunk: string | Uint8Array) => {
      written.push(String(chunk));
      return true;
    });
    try {
      fresh.recordInvocation(context);
      for (const fields of REQUESTS) fresh.recordRequest(fields);
      for (const call of AWS_CALLS) fresh.recordAwsCall(call);
      fresh.flushMetrics();
      freshLog.flushLogs();
      await new Promise((resolve) => setImmediate(resolve));
    } finally {
      stdout.mockRestore();
    }
    expect(written).toEqual([]);
  });
});
