import { DynamoDBClient, type DynamoDBClientConfig } from "@aws-sdk/client-dynamodb";
import {
  BatchGetCommand,
  BatchWriteCommand,
  DeleteCommand,
  DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  QueryCommand,
  UpdateCommand,
  type BatchWriteCommandInput,
  type DeleteCommandInput,
  type GetCommandInput,
  type PutCommandInput,
  type QueryCommandInput,
  type UpdateCommandInput,
} from "@aws-sdk/lib-dynamodb";
import { NodeHttpHandler } from "@smithy/node-http-handler";
import { AWS_CALL_TIMING_OPTIONS, awsCallTiming } from "./aws-calls.ts";
import { inParallel } from "./in-parallel.ts";

/**
 * The one place that talks to DynamoDB: a single DocumentClient per process and the five
 * verbs the domain uses. The table name is filled in here, so call sites never repeat it.
 */
export interface DynamoSettings {
  tableName: string;
  /** Set for dynalite / DynamoDB Local; unset in AWS. */
  endpoint?: string;
  region?: string;
  /** Total attempts including the first (SDK standard retry policy). */
  maxAttempts?: number;
  connectionTimeoutMs?: number;
  requestTimeoutMs?: number;
}

let settings: DynamoSettings | undefined;
let documentClient: DynamoDBDocumentClient | undefined;

function settingsFromEnv(): DynamoSettings {
  const tableName = process.env.NOTES_TABLE;
  if (!tableName) throw new Error("NOTES_TABLE is not set");
  return {
    tableName,
    endpoint: process.env.DYNAMODB_ENDPOINT || undefined,
    region: process.env.AWS_REGION,
  };
}

/** Points the module at a table (local server, tests). Replaces any client made before. */
export function configureDynamo(next: DynamoSettings): void {
  documentClient?.destroy();
  documentClient = undefined;
  settings = next;
}

export function dynamoSettings(): DynamoSettings {
  settings ??= settingsFromEnv();
  return settings;
}

export function dynamoClient(): DynamoDBDocumentClient {
  if (documentClient) return documentClient;
  const s = dynamoSettings();
  const config: DynamoDBClientConfig = {
    region: s.region ?? "us-east-1",
    // Bounded retries and timeouts: a sick database fails a request in seconds, not minutes.
    maxAttempts: s.maxAttempts ?? 3,
    requestHandler: new NodeHttpHandler({
      connectionTimeout: s.connectionTimeoutMs ?? 1_000,
      // 3 attempts × 2 s plus backoff stays under the API's 8 s execution timeout.
      requestTimeout: s.requestTimeoutMs ?? 2_000,
      // Without this the handler only logs a warning and the request hangs on a dead server.
      throwOnRequestTimeout: true,
    }),
  };
  if (s.endpoint) {
    config.endpoint = s.endpoint;
    // Local servers accept any key; fixed ones keep the SDK from searching for credentials.
    config.credentials = { accessKeyId: "local", secretAccessKey: "local" };
  }
  const client = new DynamoDBClient(config);
  client.middlewareStack.add(awsCallTiming("DynamoDB"), AWS_CALL_TIMING_OPTIONS);
  documentClient = DynamoDBDocumentClient.from(client, {
    marshallOptions: { removeUndefinedValues: true },
  });
  return documentClient;
}

type WithoutTable<T> = Omit<T, "TableName">;
type Key = Record<string, unknown>;
type WriteRequest = NonNullable<BatchWriteCommandInput["RequestItems"]>[string][number];

/** DynamoDB's own limits per BatchGetItem / BatchWriteItem call. */
const BATCH_GET_MAX = 100;
const BATCH_WRITE_MAX = 25;
const BATCH_WRITES_IN_FLIGHT = 4;
/** Rounds of asking again for what DynamoDB handed back unprocessed (it does so when throttled). */
const UNPROCESSED_ROUNDS = 8;

function backoff(round: number): Promise<void> {
  return round === 0 ? Promise.resolve() : new Promise((resolve) => setTimeout(resolve, 25 * 2 ** round));
}

async function batchGetChunk(keys: Key[], consistentRead: boolean): Promise<Key[]> {
  const tableName = dynamoSettings().tableName;
  const items: Key[] = [];
  let pending = keys;
  for (let round = 0; pending.length > 0; round++) {
    if (round === UNPROCESSED_ROUNDS) throw new Error("BatchGetItem: keys left unprocessed");
    await backoff(round);
    const { Responses, UnprocessedKeys } = await dynamoClient().send(
      new BatchGetCommand({ RequestItems: { [tableName]: { Keys: pending, ConsistentRead: consistentRead } } }),
    );
    items.push(...(Responses?.[tableName] ?? []));
    pending = (UnprocessedKeys?.[tableName]?.Keys ?? []) as Key[];
  }
  return items;
}

async function batchWriteChunk(requests: WriteRequest[]): Promise<void> {
  const tableName = dynamoSettings().tableName;
  let pending = requests;
  for (let round = 0; pending.length > 0; round++) {
    if (round === UNPROCESSED_ROUNDS) throw new Error("BatchWriteItem: items left unprocessed");
    await backoff(round);
    const { UnprocessedItems } = await dynamoClient().send(
      new BatchWriteCommand({ RequestItems: { [tableName]: pending } }),
    );
    pending = (UnprocessedItems?.[tableName] ?? []) as WriteRequest[];
  }
}

function chunks<T>(all: readonly T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < all.length; i += size) out.push(all.slice(i, i + size));
  return out;
}

export const dynamo = {
  async get(input: WithoutTable<GetCommandInput>) {
    return dynamoClient().send(new GetCommand({ ...input, TableName: dynamoSettings().tableName }));
  },
  async put(input: WithoutTable<PutCommandInput>) {
    return dynamoClient().send(new PutCommand({ ...input, TableName: dynamoSettings().tableName }));
  },
  async update(input: WithoutTable<UpdateCommandInput>) {
    return dynamoClient().send(
      new UpdateCommand({ ...input, TableName: dynamoSettings().tableName }),
    );
  },
  async remove(input: WithoutTable<DeleteCommandInput>) {
    return dynamoClient().send(
      new DeleteCommand({ ...input, TableName: dynamoSettings().tableName }),
    );
  },
  async query(input: WithoutTable<QueryCommandInput>) {
    return dynamoClient().send(new QueryCommand({ ...input, TableName: dynamoSettings().tableName }));
  },
  /** The items of any number of keys (100 a call, in parallel); missing ones are left out, order is not kept. */
  async batchGet(keys: readonly Key[], { consistentRead = false } = {}): Promise<Key[]> {
    const pages = await Promise.all(chunks(keys, BATCH_GET_MAX).map((chunk) => batchGetChunk(chunk, consistentRead)));
    return pages.flat();
  },
  /** Any number of unconditional puts and deletes, 25 a call, a few calls in flight. */
  async batchWrite(requests: readonly WriteRequest[]): Promise<void> {
    await inParallel(chunks(requests, BATCH_WRITE_MAX), BATCH_WRITES_IN_FLIGHT, batchWriteChunk);
  },
};

/** True for the SDK's "condition expression was false" failure. */
export function isConditionFailure(error: unknown): error is Error & { Item?: Record<string, unknown> } {
  return error instanceof Error && error.name === "ConditionalCheckFailedException";
}

/** Why a call to DynamoDB failed, when the cause is the database or the way to it, not the request. */
export type DatabaseFault = "unreachable" | "timeout" | "throttled" | "unavailable";

const UNREACHABLE_CODES = new Set([
  "ECONNREFUSED",
  "ECONNRESET",
  "EPIPE",
  "ENOTFOUND",
  "EAI_AGAIN",
  "EHOSTUNREACH",
  "ENETUNREACH",
]);
const THROTTLING_NAMES = new Set([
  "ThrottlingException",
  "ProvisionedThroughputExceededException",
  "RequestLimitExceeded",
]);

/** Classifies SDK failures for the logs; null for anything else (bugs, validation, conditions). */
export function databaseFault(error: unknown): DatabaseFault | null {
  if (!(error instanceof Error)) return null;
  const { code, $fault } = error as Error & { code?: string; $fault?: string };
  if (error.name === "TimeoutError" || code === "ETIMEDOUT") return "timeout";
  if (code && UNREACHABLE_CODES.has(code)) return "unreachable";
  if (THROTTLING_NAMES.has(error.name)) return "throttled";
  if ($fault === "server") return "unavailable";
  return null;
}
