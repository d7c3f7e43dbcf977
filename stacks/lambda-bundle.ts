import { fileURLToPath } from "node:url";
import type { NodeJSProps } from "sst/constructs";

/**
 * How SST bundles the GraphQL Lambda. The stacks and the benchmark (bench/) both read these, so
 * the bundle the benchmark measures is the one that gets deployed.
 */
export const lambdaNodejsProps = {
  format: "esm",
  minify: true,
  // Shipped inside the bundle and read via NODE_OPTIONS=--enable-source-maps, so stack traces point at TypeScript.
  sourcemap: true,
  // Code reached only through import() (the S3 SDK) goes into chunks a request loads when it needs them.
  splitting: true,
  esbuild: {
    // Without this esbuild picks packages' CommonJS builds (~30 % larger, slower to load).
    mainFields: ["module", "main"],
    // SST turns keepNames on: every closure the SDK and yoga create per request then pays a defineProperty (bench/README.md).
    keepNames: false,
    // graphql-js runs its cross-realm instanceof checks unless NODE_ENV is "production".
    define: { "process.env.NODE_ENV": '"production"' },
    // Lambda passes credentials in environment variables: the SDK's full default chain is dead weight there.
    alias: {
      "@aws-sdk/credential-provider-node": fileURLToPath(
        new URL("../packages/functions/src/lambda-credentials.ts", import.meta.url),
      ),
      // The multipart parser of whatwg-node's Request; yoga's multipart parsing is off (graphql/yoga.ts).
      "@fastify/busboy": fileURLToPath(new URL("../packages/functions/src/lambda-no-multipart.ts", import.meta.url)),
    },
  },
} satisfies NodeJSProps;

/** NODE_OPTIONS of the function: source-mapped stack traces from the bundle above. */
export const LAMBDA_NODE_OPTIONS = "--enable-source-maps";
