import { createServer, type IncomingMessage } from "node:http";
import { getNoteDirect } from "../direct-get.ts";
import { serveUntilStopped, setUpBenchServer } from "./bench-server.ts";

/**
 * The bare alternative to a GraphQL server: node:http, the same token verification, one GetItem
 * through the same DynamoDB client, a JSON response. No GraphQL, no Fetch API objects.
 */
const { verifyAuthorization } = await setUpBenchServer();

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of req as AsyncIterable<Buffer>) chunks.push(chunk);
  return Buffer.concat(chunks).toString("utf8");
}

const server = createServer(async (req, res) => {
  try {
    const caller = await verifyAuthorization(req.headers.authorization ?? null);
    const { variables } = JSON.parse(await readBody(req)) as { variables?: { id?: string } };
    if (!caller) {
      res.writeHead(401, { "content-type": "application/json" }).end('{"error":"unauthenticated"}');
      return;
    }
    const note = await getNoteDirect(caller.id, String(variables?.id));
    const body = JSON.stringify({ data: { note } });
    res.writeHead(200, { "content-type": "application/json", "content-length": Buffer.byteLength(body) });
    res.end(body);
  } catch {
    res.writeHead(500).end();
  }
});
serveUntilStopped(server);
