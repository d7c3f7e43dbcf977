import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { configureDynamo } from "@notes/core/dynamo";
import { createTokenVerifier } from "@notes/functions/auth";
import { createNotesYoga } from "@notes/functions/graphql/yoga";
import { createNodeListener } from "@notes/functions/http/node";
import { devVerifierSettings } from "@notes/functions/local/dev-issuer";

/**
 * The local server's request path (as in local/server.ts: node:http → createNodeListener → yoga,
 * dev-issuer tokens) pointed at the benchmark's dynalite, which runs in another process.
 */
const settings = JSON.parse(process.env.BENCH_SERVER_SETUP!) as {
  dataDir: string;
  endpoint: string;
  tableName: string;
};
configureDynamo({ tableName: settings.tableName, endpoint: settings.endpoint });
const yoga = createNotesYoga({
  verifyAuthorization: createTokenVerifier(await devVerifierSettings(settings.dataDir)),
});
const server = createServer(createNodeListener(yoga));
server.listen(0, "127.0.0.1", () => process.send!({ port: (server.address() as AddressInfo).port }));

const stop = () => {
  server.close(() => process.exit(0));
  server.closeAllConnections();
};
process.on("SIGTERM", stop);
process.on("disconnect", stop);
