import { randomUUID } from "node:crypto";
import { createServer } from "node:net";
import type { AddressInfo } from "node:net";
import { configureDynamo } from "@notes/core/dynamo";
import { ensureNotesTable, startEmbeddedDynamo, type EmbeddedDynamo } from "@notes/core/embedded-dynamo";
import type { Context as LambdaContext } from "aws-lambda";
import { Kind, parse, type DocumentNode } from "graphql";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi, type MockInstance } from "vitest";
import * as webDocuments from "../../web/src/gql/graphql.ts";
import trustedDocuments from "../src/graphql/trusted-documents.json";
import { createLambdaHandler } from "../src/http/lambda.ts";
import { MAX_BODY_BYTES } from "../src/http/limits.ts";
import { captureLogs } from "../src/log.ts";
import { KNOWN_OPERATIONS, OTHER_OPERATION } from "../src/metrics.ts";
import { apiGatewayEvent, graphqlPostEvent } from "./api-gateway-event.ts";
import { createTestYoga } from "./harness.ts";
import { createTestIssuer, type TestIssuer } from "./test-issuer.ts";

// Before the modules load: Powertools reads these when metrics.ts makes its Metrics (npm test turns metrics off).
vi.hoisted(() => {
  process.env.POWERTOOLS_METRICS_DISABLED = "false";
  process.env.POWERTOOLS_METRICS_NAMESPACE = "NotesApi/test";
  process.env.AWS_LAMBDA_INITIALIZATION_TYPE = "on-demand";
});

/**
 * The EMF lines Powertools Metrics writes for the Lambda, parsed as CloudWatch parses them: every
 * document valid, and the names, units and dimensions docs/operations.md lists and the alarms read.
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

let stdout: MockInstance;
beforeAll(async () => {
  restore = captureLogs(() => {}, "SILENT");
  const write = process.stdout.write.bind(process.stdout) as (...args: unknown[]) => boolean;
  // Where Powertools writes EMF: stdout, one JSON document per line.
  stdout = vi.spyOn(process.stdout, "write").mockImplementation(((chunk: string | Uint8Array, ...rest: unknown[]) => {
    const text = String(chunk);
    if (!text.startsWith('{"_aws"')) return write(chunk, ...rest);
    lines.push(...text.split("\n").filter(Boolean));
    return true;
  }) as typeof process.stdout.write);
  db = await startEmbeddedDynamo();
  await ensureNotesTable(db.endpoint, TABLE);
  configureDynamo({ tableName: TABLE, endpoint: db.endpoint });
  issuer = await createTestIssuer();
  token = await issuer.token("metrics-user");
  handler = createLambdaHandler(createTestYoga(issuer));
});
afterAll(async () => {
  stdout?.mockRestore();
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

/** Every line parsed, checked against the EMF specification's structure. */
function documents(): EmfDocument[] {
  return lines.map((line) => {
    const document = JSON.parse(line) as EmfDocument;
    expect(Number.isInteger(document._aws.Timestamp)).toBe(true);
    expect(document._aws.CloudWatchMetrics).toHaveLength(1);
    const [directive] = document._aws.CloudWatchMetrics;
    expect(directive!.Namespace).toBe("NotesApi/test");
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
    // After the write, the owner's live subscriptions are looked up (docs/realtime.md).
    const [subscriptions] = withDimensions([["service", "awsService"], ["service", "awsService", "awsOperation"]], {
      awsOperation: "Query",
    });
    expect(subscriptions).toMatchObject({ AwsCallRetries: 0, AwsCallFailures: 0 });
    // Written before the invocation returned.
    expect(lines).toHaveLength(4);
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
