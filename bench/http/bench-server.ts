import type { Server } from "node:http";
import type { AddressInfo } from "node:net";
import { configureDynamo } from "@notes/core/dynamo";
import { createTokenVerifier } from "@notes/functions/auth";

/**
 * What both HTTP contenders share: the run's dynalite and token issuer (from BENCH_SERVER_SETUP),
 * and serving on loopback until the parent run stops them.
 */
export async function setUpBenchServer() {
  const settings = JSON.parse(process.env.BENCH_SERVER_SETUP!) as {
    issuer: string;
    clientId: string;
    endpoint: string;
    tableName: string;
  };
  configureDynamo({ tableName: settings.tableName, endpoint: settings.endpoint });
  return { verifyAuthorization: createTokenVerifier({ issuer: settings.issuer, clientId: settings.clientId }) };
}

/** Listens on 127.0.0.1, reports the port to the parent, and stops when told or orphaned. */
export function serveUntilStopped(server: Server): void {
  server.listen(0, "127.0.0.1", () => process.send!({ port: (server.address() as AddressInfo).port }));
  const stop = () => {
    server.close(() => process.exit(0));
    server.closeAllConnections();
  };
  process.on("SIGTERM", stop);
  process.on("disconnect", stop);
}
