import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { join } from "node:path";
import { configureDynamo } from "@notes/core/dynamo";
import { embeddedDynamoSettings, ensureNotesTable, startEmbeddedDynamo } from "@notes/core/embedded-dynamo";
import { renderGraphiQL } from "@graphql-yoga/render-graphiql";
import { createTokenVerifier } from "../auth.ts";
import { createNotesYoga } from "../graphql/yoga.ts";
import { createNodeListener } from "../http/node.ts";
import type { LocalSettings } from "./settings.ts";
import { devVerifierSettings } from "./dev-issuer.ts";
import { withLocalWebRoutes } from "./web-routes.ts";

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

/** The API on a Node HTTP server, backed by dynalite persisted under the data directory. */
export async function startLocalServer(settings: LocalSettings): Promise<LocalServer> {
  const db = await startEmbeddedDynamo({ path: join(settings.dataDir, "dynamodb") });
  try {
    await ensureNotesTable(db.endpoint, settings.tableName);
    configureDynamo(embeddedDynamoSettings(db, settings.tableName));
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
      withLocalWebRoutes(createNodeListener(yoga), { dataDir: settings.dataDir }),
    );
    await new Promise<void>((resolve, reject) => {
      server.once("error", reject);
      server.listen(settings.port, settings.host, () => resolve());
    });
    const { port } = server.address() as AddressInfo;
    const host = settings.host.includes(":") ? `[${settings.host}]` : settings.host;
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
