import { createServer } from "node:http";
import { createNotesYoga } from "@notes/functions/graphql/yoga";
import { createNodeListener } from "@notes/functions/http/node";
import { serveUntilStopped, setUpBenchServer } from "./bench-server.ts";

/**
 * The local server's request path (as in local/server.ts: node:http → createNodeListener → yoga,
 * the bench issuer's tokens) pointed at the benchmark's dynalite, which runs in another process.
 */
const { verifyAuthorization } = await setUpBenchServer();
const yoga = createNotesYoga({ verifyAuthorization });
const server = createServer(createNodeListener(yoga));
serveUntilStopped(server);
