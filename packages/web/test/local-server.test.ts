import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { createServer, request, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { build } from "esbuild";
import { createServer as createViteServer } from "vite";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startLocalServer, type LocalServer } from "@notes/functions/local/server";
import { DEV_SIGN_IN_PATH, withLocalWebRoutes } from "@notes/functions/local/web-routes";
import { captureLogs } from "@notes/functions/log";
import { MeDocument } from "../src/gql/graphql.ts";
import { typedClient } from "./typed-client.ts";

// The local server's web-app routes: dev sign-in, static files; and proof the Lambda has neither.

const FUNCTIONS_SRC = fileURLToPath(new URL("../../functions/src/", import.meta.url));

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

const signIn = (origin: string, body: unknown, headers: Record<string, string> = {}) =>
  raw(origin, DEV_SIGN_IN_PATH, {
    method: "POST",
    headers: { "content-type": "application/json", ...headers },
    body: typeof body === "string" ? body : JSON.stringify(body),
  });

let restoreLogs: () => void;
beforeAll(() => {
  restoreLogs = captureLogs(() => {}, "SILENT");
});
afterAll(() => restoreLogs());

describe("POST /dev/sign-in on the local server", () => {
  let dataDir: string;
  let server: LocalServer;
  let origin: string;

  beforeAll(async () => {
    dataDir = await mkdtemp(join(tmpdir(), "notes-web-routes-"));
    server = await startLocalServer({ dataDir, port: 0, host: "127.0.0.1", tableName: "notes", bucketName: "notes-attachments" });
    origin = new URL(server.url).origin;
  });

  afterAll(async () => {
    await server?.close();
    if (dataDir) await rm(dataDir, { recursive: true, force: true });
  });

  it("returns a token for the typed user name that /graphql accepts as that user", async () => {
    const response = await signIn(origin, { userId: "  alice  " });
    expect(response.status).toBe(200);
    expect(response.headers["cache-control"]).toBe("no-store");
    const { token } = JSON.parse(response.body) as { token: string };
    const me = await typedClient(fetch, server.url)(MeDocument, {}, token);
    expect(me).toEqual({ status: 200, data: { me: { id: "alice" } } });
  });

  it("refuses what is not a same-origin JSON sign-in", async () => {
    expect((await signIn(origin, { userId: "alice" }, { origin: "https://evil.example" })).status).toBe(403);
    const rebound = await signIn(origin, { userId: "alice" }, { host: "evil.example:4000", origin: "http://evil.example:4000" });
    expect(rebound.status).toBe(403);
    expect((await signIn(origin, { userId: "alice" }, { host: "localhost:4000" })).status).toBe(200);
    expect((await signIn(origin, { userId: "alice" }, { origin })).status).toBe(200);
    expect((await signIn(origin, "userId=alice", { "content-type": "application/x-www-form-urlencoded" })).status).toBe(415);
    expect((await raw(origin, DEV_SIGN_IN_PATH)).status).toBe(405);
    for (const body of [{ userId: "   " }, { userId: 42 }, {}, "null", "{not json", { userId: "x".repeat(257) }]) {
      const response = await signIn(origin, body);
      expect(response.status, JSON.stringify(body)).toBe(400);
      expect(JSON.parse(response.body).error).toMatch(/userId must be/);
    }
    expect((await signIn(origin, { userId: "a".repeat(5_000) })).status).toBe(413);
  });

  it("signs in through Vite's dev server (npm run dev -w @notes/web), which proxies to it", async () => {
    process.env.NOTES_API_ORIGIN = origin;
    const vite = await createViteServer({
      configFile: fileURLToPath(new URL("../vite.config.ts", import.meta.url)),
      server: { host: "127.0.0.1", port: 0, strictPort: false, hmr: false },
      logLevel: "silent",
    });
    try {
      await vite.listen();
      const viteOrigin = `http://127.0.0.1:${(vite.httpServer!.address() as AddressInfo).port}`;
      // What the browser sends from the page Vite serves: its own origin.
      const response = await signIn(viteOrigin, { userId: "carol" }, { origin: viteOrigin });
      expect(response.status, response.body).toBe(200);
      const { token } = JSON.parse(response.body) as { token: string };
      const me = await typedClient(fetch, `${viteOrigin}/graphql`)(MeDocument, {}, token);
      expect(me).toEqual({ status: 200, data: { me: { id: "carol" } } });
    } finally {
      await vite.close();
      delete process.env.NOTES_API_ORIGIN;
    }
  });

  it("leaves /graphql to the API", async () => {
    const response = await raw(origin, "/graphql?query=%7Bme%7Bid%7D%7D", { headers: { accept: "application/json" } });
    expect(response.status).toBe(200);
    expect(JSON.parse(response.body)).toEqual({ data: { me: null } });
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
    await writeFile(join(webRoot, ".source-hash"), "secret-ish");
    await writeFile(join(tmpdir(), "outside-web-root.txt"), "outside");
    const api = (req: { url?: string }, res: { writeHead(s: number): void; end(b: string): void }) => {
      apiHits.push(req.url ?? "");
      res.writeHead(404);
      res.end("api");
    };
    server = createServer(withLocalWebRoutes(api, { dataDir: webRoot, webRoot }));
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
    }
  });

  it("serves hashed assets as immutable, HEAD without a body", async () => {
    const asset = await raw(origin, "/assets/app-1234.js");
    expect(asset).toMatchObject({ status: 200, body: "console.log('app')" });
    expect(asset.headers["content-type"]).toBe("text/javascript; charset=utf-8");
    expect(asset.headers["cache-control"]).toContain("immutable");
    const head = await raw(origin, "/assets/app-1234.js", { method: "HEAD" });
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

  it("contains neither the dev sign-in nor the dev issuer (the local server's bundle does)", async () => {
    const local = await bundle("local/main.ts");
    expect(local).toContain(DEV_SIGN_IN_PATH);
    expect(local).toContain("urn:notes:local-dev-issuer");
    const lambda = await bundle("lambda.ts");
    expect(lambda).not.toContain(DEV_SIGN_IN_PATH);
    expect(lambda).not.toContain("urn:notes:local-dev-issuer");
  }, 60_000);
});
