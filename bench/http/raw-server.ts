import { createServer, type IncomingMessage } from "node:http";
import type { AddressInfo } from "node:net";
import { configureDynamo, dynamo } from "@notes/core/dynamo";
import { createTokenVerifier } from "@notes/functions/auth";
import { devVerifierSettings } from "@notes/functions/local/dev-issuer";

/**
 * The bare alternative to a GraphQL server: node:http, the same token verification, one GetItem
 * through the same DynamoDB client, a JSON response. No GraphQL, no Fetch API objects.
 */
const settings = JSON.parse(process.env.BENCH_SERVER_SETUP!) as {
  dataDir: string;
  endpoint: string;
  tableName: string;
};
configureDynamo({ tableName: settings.tableName, endpoint: settings.endpoint });
const verifyAuthorization = createTokenVerifier(await devVerifierSettings(settings.dataDir));

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
    const { Item } = await dynamo.get({ Key: { userId: caller.id, noteId: String(variables?.id) } });
    const note = Item
      ? {
          id: Item.noteId,
          content: Item.content,
          attachment: Item.attachment ?? null,
          createdAt: Item.createdAt,
          updatedAt: Item.updatedAt,
          version: Item.version,
        }
      : null;
    const body = JSON.stringify({ data: { note } });
    res.writeHead(200, { "content-type": "application/json", "content-length": Buffer.byteLength(body) });
    res.end(body);
  } catch {
    res.writeHead(500).end();
  }
});
server.listen(0, "127.0.0.1", () => process.send!({ port: (server.address() as AddressInfo).port }));

const stop = () => {
  server.close(() => process.exit(0));
  server.closeAllConnections();
};
process.on("SIGTERM", stop);
process.on("disconnect", stop);
