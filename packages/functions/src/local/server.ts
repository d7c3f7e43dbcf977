import { createServer, type RequestListener } from "node:http";
import type { AddressInfo } from "node:net";
import { join } from "node:path";
import { configureDynamo } from "@notes/core/dynamo";
import { embeddedDynamoSettings, ensureNotesTable, startEmbeddedDynamo } from "@notes/core/embedded-dynamo";
import { configureS3 } from "@notes/core/s3-settings";
import { renderGraphiQL } from "@graphql-yoga/render-graphiql";
import { createTokenVerifier } from "../auth.ts";
import { createNotesYoga } from "../graphql/yoga.ts";
import { createNodeListener } from "../http/node.ts";
import type { LocalSettings } from "./settings.ts";
import { devVerifierSettings } from "./dev-issuer.ts";
import { LOCAL_S3_PATH, startLocalS3, type LocalS3 } from "./s3rver.ts";
import { withLocalWebRoutes } from "./web-routes.ts";

const DEFAULT_BUCKET = "notes-attachments";

export interface LocalServer {
  url: string;
  close(): Promise<void>;
}

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
 * The API on a Node HTTP server, backed by dynalite and s3rver persisted under the data directory;
 * s3rver answers on the same origin under /s3, so the presigned URLs the API hands out are its own.
 */
export async function startLocalServer(settings: LocalSettings): Promise<LocalServer> {
  const db = await startEmbeddedDynamo({ path: join(settings.dataDir, "dynamodb") });
  try {
    await ensureNotesTable(db.endpoint, settings.tableName);
    configureDynamo(embeddedDynamoSettings(db, settings.tableName));
    const bucketName = settings.bucketName ?? DEFAULT_BUCKET;
    const localS3 = await startLocalS3({ directory: join(settings.dataDir, "s3"), bucketName });
    await localS3.removeStaleUploads();
    const yoga = createNotesYoga({
      verifyAuthorization: createTokenVerifier(await devVerifierSettings(settings.dataDir)),
      graphiql: { defaultQuery: EXAMPLE_QUERY, title: "Notes API (local)" },
      renderGraphiQL,
      trustedDocumentsOnly: settings.trustedDocumentsOnly,
    });
    const server = createServer(
      {
        // A slow or stalled client gives up its connection in seconds, not Node's default 5 minutes.
        headersTimeout: 10_000,
        requestTimeout: 30_000,
        connectionsCheckingInterval: 2_000,
      },
      withLocalS3(localS3, withLocalWebRoutes(createNodeListener(yoga), { dataDir: settings.dataDir })),
    );
    await new Promise<void>((resolve, reject) => {
      server.once("error", reject);
      server.listen(settings.port, settings.host, () => resolve());
    });
    const { port } = server.address() as AddressInfo;
    const host = settings.host.includes(":") ? `[${settings.host}]` : settings.host;
    // The port is known only now; the API reaches s3rver through the same origin the browser uses.
    configureS3({ bucketName, endpoint: `http://${host}:${port}${LOCAL_S3_PATH}` });
    let closing: Promise<void> | undefined;
    return {
      url: `http://${host}:${port}/graphql`,
      close() {
        // In-flight requests finish (their writes complete) before the database closes.
        closing ??= new Promise<void>((resolve) => {
          server.close(() => resolve());
          server.closeIdleConnections();
        }).then(() => db.close());
        return closing;
      },
    };
  } catch (error) {
    await db.close();
    throw error;
  }
}

/** `/s3/…` goes to the local S3; everything else to the API and the web app. */
function withLocalS3(localS3: LocalS3, next: RequestListener): RequestListener {
  return (req, res) => {
    const path = (req.url ?? "/").split("?", 1)[0]!;
    if (localS3.handles(path)) localS3.handle(req, res);
    else void next(req, res);
  };
}
