import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { createServer, request, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { build } from "esbuild";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startLocalServer, type LocalServer } from "../../src/local/server.ts";
import { LOCAL_ISSUER_DOMAIN, localUserToken } from "../../src/local/cognito.ts";
import { withLocalWebRoutes } from "../../src/local/web-routes.ts";
import { captureLogs } from "../../src/log.ts";
import { MeDocument } from "../../../web/src/gql/graphql.ts";
import { graphqlClient } from "../graphql-client.ts";

// The local server's web-app routes: static files with the local pool's settings filled in; and proof the Lambda has none of it.

const FUNCTIONS_SRC = fileURLToPath(new URL("../../src/", import.meta.url));

interface RawResponse {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

/** node:http, not fetch: fetch would normalise "/../" away before it reached the server. */
function raw(origin: string, path: string, init: { method?: string; headers?: Record<string, string>; body?: string } = {}) {
  const url = new URL(origin);
  return new Promise<RawResponse>((resolve, reject) => {
    const req = request(
      { host: url.hostname, port: url.port, path, method: init.method ?? "GET", headers: init.headers },
      (res) => {
        const chunks: Buffer[] = [];
        res.on("data", (chunk: Buffer) => chunks.push(chunk));
        res.on("end", () => resolve({ status: res.statusCode!, headers: res.headers, body: Buffer.concat(chunks).toString() }));
      },
    );
    req.on("error", reject);
    req.end(init.body);
  });
}

let restoreLogs: () => void;
beforeAll(() => {
  restoreLogs = captureLogs(() => {}, "SILENT");
});
afterAll(() => restoreLogs());

describe("the local server with its user pool", () => {
  let dataDir: string;
  let server: LocalServer;
  let origin: string;

  beforeAll(async () => {
    dataDir = await mkdtemp(join(tmpdir(), "notes-web-routes-"));
    server = await startLocalServer(
      { dataDir, port: 0, host: "127.0.0.1", tableName: "notes", bucketName: "notes-attachments" },
      { onLambdaLine: () => {} },
    );
    origin = new URL(server.url).origin;
  });

  afterAll(async () => {
    await server?.close();
    if (dataDir) await rm(dataDir, { recursive: true, force: true });
  });

  it("has no sign-in route of its own: the dev issuer is gone", async () => {
    const response = await raw(origin, "/dev/sign-in", { method: "POST", headers: { "content-type": "application/json" }, body: '{"userId":"alice"}' });
    expect(response.status).toBe(404);
    expect(response.body).not.toMatch(/token/);
  });

  it("accepts an access token from its local pool at /graphql, as that user's sub", async () => {
    const token = await localUserToken(dataDir, "alice");
    const sub = JSON.parse(Buffer.from(token.split(".")[1]!, "base64url").toString()).sub;
    const me = await graphqlClient(server.url)(MeDocument, {}, { token });
    expect([me.status, me.body]).toEqual([200, { data: { me: { id: sub } } }]);
  });

  it("lets the app call the local pool (CSP connect-src), nothing else", async () => {
    const response = await raw(origin, "/");
    expect(response.headers["content-security-policy"]).toContain(`connect-src 'self' ${new URL(server.cognito.endpoint).origin};`);
  });

  it("leaves /graphql to the API", async () => {
    const response = await raw(origin, "/graphql?query=%7Bme%7Bid%7D%7D", { headers: { accept: "application/json" } });
    expect(response.status).toBe(200);
    expect(JSON.parse(response.body)).toEqual({ data: { me: null } });
  });

  it("answers a query posted to any path but the route with API Gateway's 404", async () => {
    const post = (path: string) =>
      raw(origin, path, { method: "POST", headers: { "content-type": "application/json" }, body: '{"query":"{ __typename }"}' });
    for (const path of ["/notes", "/graphql/extra", "/GraphQL", "/a/graphql/b", "/graphql/"]) {
      const response = await post(path);
      expect(response.status, path).toBe(404);
      expect(JSON.parse(response.body), path).toEqual({ message: "Not Found" });
    }
  });
});

describe("the built web app on the local server", () => {
  let webRoot: string;
  let server: Server;
  let origin: string;
  const apiHits: string[] = [];

  beforeAll(async () => {
    webRoot = await mkdtemp(join(tmpdir(), "notes-web-root-"));
    await mkdir(join(webRoot, "assets"));
    await writeFile(join(webRoot, "index.html"), "<!doctype html><div id=root></div>");
    await writeFile(join(webRoot, "assets", "app-1234.js"), "console.log('app')");
    await writeFile(join(webRoot, "assets", "config-1234.js"), 'const pool = "{{ VITE_USER_POOL_ID }}", api = "{{ VITE_API_URL }}";');
    await writeFile(join(webRoot, ".source-hash"), "secret-ish");
    await writeFile(join(tmpdir(), "outside-web-root.txt"), "outside");
    const api = (req: { url?: string }, res: { writeHead(s: number): void; end(b: string): void }) => {
      apiHits.push(req.url ?? "");
      res.writeHead(404);
      res.end("api");
    };
    server = createServer(
      withLocalWebRoutes(api, { webRoot, appSettings: { VITE_USER_POOL_ID: 'local_"x' }, connectSources: ["http://127.0.0.1:9"] }),
    );
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });

  afterAll(async () => {
    await new Promise((resolve) => server?.close(resolve));
    if (webRoot) await rm(webRoot, { recursive: true, force: true });
    await rm(join(tmpdir(), "outside-web-root.txt"), { force: true });
  });

  it("serves index.html at / and for client-side routes, with a strict CSP", async () => {
    for (const path of ["/", "/notes/01ABC"]) {
      const response = await raw(origin, path);
      expect(response.status).toBe(200);
      expect(response.body).toContain('<div id=root>');
      expect(response.headers["content-type"]).toBe("text/html; charset=utf-8");
      expect(response.headers["cache-control"]).toBe("no-cache");
      expect(response.headers["content-security-policy"]).toContain("default-src 'self'");
      expect(response.headers["content-security-policy"]).toContain("connect-src 'self' http://127.0.0.1:9;");
    }
  });

  it("fills the settings it was given into the app's files (revalidated, not immutable), leaving the rest as placeholders", async () => {
    const asset = await raw(origin, "/assets/config-1234.js");
    expect(asset.body).toBe('const pool = "local_\\"x", api = "{{ VITE_API_URL }}";');
    expect(asset.headers["cache-control"]).toBe("no-cache");
  });

  it("serves hashed assets as immutable, HEAD without a body", async () => {
    await writeFile(join(webRoot, "assets", "logo-1234.svg"), "<svg/>");
    const asset = await raw(origin, "/assets/logo-1234.svg");
    expect(asset).toMatchObject({ status: 200, body: "<svg/>" });
    expect(asset.headers["content-type"]).toBe("image/svg+xml");
    expect(asset.headers["cache-control"]).toContain("immutable");
    const head = await raw(origin, "/assets/logo-1234.svg", { method: "HEAD" });
    expect(head.status).toBe(200);
    expect(head.body).toBe("");
  });

  it("never serves a file outside the web root, a dotfile or a missing asset", async () => {
    for (const path of ["/../outside-web-root.txt", "/%2e%2e/outside-web-root.txt", "/assets/..%2f..%2foutside-web-root.txt", "/.source-hash", "/assets/missing.js", "/%00.js"]) {
      const response = await raw(origin, path);
      expect(response.status, path).toBe(404);
      expect(response.body, path).not.toContain("outside");
    }
  });

  it("hands everything that is not a GET of the app to the API listener", async () => {
    apiHits.length = 0;
    await raw(origin, "/graphql");
    await raw(origin, "/anything", { method: "POST", body: "{}" });
    expect(apiHits).toEqual(["/graphql", "/anything"]);
  });
});

describe("the Lambda bundle", () => {
  async function bundle(entry: string): Promise<string> {
    const result = await build({
      entryPoints: [join(FUNCTIONS_SRC, entry)],
      bundle: true,
      platform: "node",
      format: "esm",
      write: false,
      logLevel: "silent",
      mainFields: ["module", "main"],
    });
    return result.outputFiles[0]!.text;
  }

  it("knows nothing of the local pool (the local server's bundle does)", async () => {
    const local = await bundle("local/main.ts");
    expect(local).toContain(LOCAL_ISSUER_DOMAIN);
    expect(local).toContain("cognito-local/lib/bin/start.js");
    const lambda = await bundle("lambda.ts");
    expect(lambda).not.toContain(LOCAL_ISSUER_DOMAIN);
    expect(lambda).not.toMatch(/cognito-local/i);
  }, 60_000);
});
