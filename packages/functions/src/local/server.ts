import type { RequestListener } from "node:http";
import type { AddressInfo } from "node:net";
import { join } from "node:path";
import { configureDynamo } from "@notes/core/dynamo";
import { embeddedDynamoSettings, ensureNotesTable, startEmbeddedDynamo } from "@notes/core/embedded-dynamo";
import { configureS3 } from "@notes/core/s3-settings";
import { configureConnections } from "@notes/core/connections";
import { renderGraphiQL } from "@graphql-yoga/render-graphiql";
import { requestPath } from "../http/body.ts";
import { createHttpApi } from "./api-gateway.ts";
import { attachWebSocketGateway } from "./websocket-gateway.ts";
import { createLocalConsole, CONSOLE_PATH } from "./console/routes.ts";
import { createLocalHttpServer } from "./http-server.ts";
import type { Invocation } from "./invocation.ts";
import { startLocalFunction, type LocalFunction } from "./lambda-function.ts";
import type { LocalSettings } from "./settings.ts";
import { startLocalCognito, type LocalCognito, type LocalCognitoOptions } from "./cognito.ts";
import { LOCAL_S3_PATH, startLocalS3 } from "./s3rver.ts";
import { withLocalWebRoutes } from "./web-routes.ts";

export interface LocalServer {
  url: string;
  /** The local console's page. */
  consoleUrl: string;
  /** The local user pool: where its API answers and the ids the web app is built with. */
  cognito: Pick<LocalCognito, "endpoint" | "userPoolId" | "clientId" | "issuer" | "jwksUrl">;
  close(): Promise<void>;
}

export type LocalServerHooks = Pick<LocalCognitoOptions, "onConfirmationCode"> & {
  /** After each invocation through the HTTP API or the WebSocket API (the console keeps them too). */
  onInvocation?(invocation: Invocation): void;
  /** Each line a Lambda worker writes, and whether it came during an invocation (stdout by default). */
  onLambdaLine?(line: string, duringInvocation: boolean): void;
  /** A test's copy of packages/functions/src to build the function from. */
  functionsSource?: string;
  /** Messages about the function's builds and reloads (stdout by default). */
  onLambdaNotice?(message: string): void;
  /** Settings added to the function's environment (a test's LOG_LEVEL). */
  lambdaEnv?: Record<string, string>;
};

const EXAMPLE_QUERY = `# 1. In a terminal: npm run token -- alice
# 2. Headers tab below: { "Authorization": "Bearer <that token>" }
mutation Create {
  createNote(input: { content: "Hello, notes" }) { id content version createdAt }
}

query List {
  notes(first: 10) {
    edges { cursor node { id content version updatedAt } }
    pageInfo { hasNextPage endCursor }
  }
}
`;

/**
 * The built function behind a local API Gateway on a Node HTTP server, backed by dynalite, s3rver
 * and cognito-local persisted under the data directory; s3rver answers on the same origin under
 * /s3, so the presigned URLs the API hands out are its own.
 */
export async function startLocalServer(settings: LocalSettings, hooks: LocalServerHooks = {}): Promise<LocalServer> {
  // dynalite first: its lock refuses a second server on the same data directory before anything else starts.
  const db = await startEmbeddedDynamo({ path: join(settings.dataDir, "dynamodb") });
  let cognito: LocalCognito | undefined;
  let lambda: LocalFunction | undefined;
  try {
    await ensureNotesTable(db.endpoint, settings.tableName);
    configureDynamo(embeddedDynamoSettings(db, settings.tableName));
    const { bucketName } = settings;
    const localS3 = await startLocalS3({ directory: join(settings.dataDir, "s3"), bucketName });
    await localS3.removeStaleUploads();
    const pool = (cognito = await startLocalCognito({ dataDir: settings.dataDir, host: settings.host, ...hooks }));
    const fn = (lambda = await startLocalFunction({
      concurrency: settings.lambdaConcurrency,
      inspectPort: settings.lambdaInspectPort,
      watch: settings.watch,
      functionsSource: hooks.functionsSource,
      onLine: hooks.onLambdaLine,
      env: hooks.lambdaEnv,
      onNotice: hooks.onLambdaNotice,
    }));
    const localConsole = createLocalConsole({ pool: { ...pool, dataDir: settings.dataDir } });
    const recordInvocation = (invocation: Invocation) => {
      localConsole.record(invocation);
      hooks.onInvocation?.(invocation);
    };
    const httpApi = createHttpApi({ run: (event, requestId) => fn.run(event, requestId), onInvocation: recordInvocation });
    const listening = { host: settings.host, port: settings.port };
    const apiAndWebApp = withLocalWebRoutes(withLocalGraphiQL(httpApi), {
      // Filled into the built app as SST fills the deployed one: the same settings, local values.
      appSettings: {
        VITE_REGION: "local",
        VITE_USER_POOL_ID: pool.userPoolId,
        VITE_USER_POOL_CLIENT_ID: pool.clientId,
        VITE_USER_POOL_ENDPOINT: pool.endpoint,
      },
      connectSources: [new URL(pool.endpoint).origin],
    });
    const withConsole = withPrefix((path) => localConsole.handles(path), (req, res) => localConsole.handle(req, res, listening), apiAndWebApp);
    const server = createLocalHttpServer(withPrefix((path) => localS3.handles(path), (req, res) => localS3.handle(req, res), withConsole));
    // The WebSocket API (Subscription.noteEvents) on the same server, invoking the same workers.
    const websocket = attachWebSocketGateway(server, {
      run: (event, requestId) => fn.run(event, requestId),
      onInvocation: recordInvocation,
      idleTimeoutMs: settings.websocketIdleTimeoutMs,
    });
    await new Promise<void>((resolve, reject) => {
      server.once("error", reject);
      server.listen(settings.port, settings.host, () => resolve());
    });
    const { port } = server.address() as AddressInfo;
    listening.port = port;
    const host = settings.host.includes(":") ? `[${settings.host}]` : settings.host;
    // The port is known only now; the function reaches s3rver through the same origin the browser uses.
    const s3Endpoint = `http://${host}:${port}${LOCAL_S3_PATH}`;
    configureS3({ bucketName, endpoint: s3Endpoint });
    configureConnections({ endpoint: websocket.managementEndpoint });
    fn.configure({
      tableName: settings.tableName,
      dynamoEndpoint: db.endpoint,
      bucketName,
      s3Endpoint,
      issuer: pool.issuer,
      jwksUrl: pool.jwksUrl,
      clientId: pool.clientId,
      trustedDocumentsOnly: settings.trustedDocumentsOnly ?? false,
      websocketManagementEndpoint: websocket.managementEndpoint,
    });
    let closing: Promise<void> | undefined;
    const { endpoint, userPoolId, clientId, issuer, jwksUrl } = pool;
    return {
      url: `http://${host}:${port}/graphql`,
      consoleUrl: `http://${host}:${port}${CONSOLE_PATH}`,
      cognito: { endpoint, userPoolId, clientId, issuer, jwksUrl },
      close() {
        // In-flight requests finish (their writes complete) before the workers, the database and the user pool stop.
        closing ??= websocket
          .close()
          .then(() => new Promise<void>((resolve) => {
            server.close(() => resolve());
            localConsole.close();
            server.closeIdleConnections();
          }))
          .then(() => fn.close())
          .then(() => Promise.all([db.close(), pool.close()]).then(() => {}));
        return closing;
      },
    };
  } catch (error) {
    await Promise.all([db.close(), cognito?.close(), lambda?.close()]);
    throw error;
  }
}

/** A browser's GET of /graphql gets GraphiQL from here: the function's own loads its assets from a CDN, and this runs offline. */
function withLocalGraphiQL(next: RequestListener): RequestListener {
  const page = renderGraphiQL({ endpoint: "/graphql", defaultQuery: EXAMPLE_QUERY, title: "Notes API (local)" });
  return (req, res) => {
    const path = requestPath(req);
    if (req.method === "GET" && path === "/graphql" && req.headers.accept?.includes("text/html")) {
      res.writeHead(200, { "content-type": "text/html; charset=utf-8", "content-length": String(Buffer.byteLength(page)) });
      res.end(page);
    } else void next(req, res);
  };
}

/** Requests for the paths `handles` takes (`/s3/…`, `/console…`) go to `handle`; everything else on. */
function withPrefix(handles: (path: string) => boolean, handle: RequestListener, next: RequestListener): RequestListener {
  return (req, res) => {
    const path = requestPath(req);
    if (handles(path)) void handle(req, res);
    else void next(req, res);
  };
}
