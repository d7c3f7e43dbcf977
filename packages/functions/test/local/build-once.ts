import { buildLambda } from "../../src/local/lambda-build.ts";

/**
 * vitest's global setup: the function's bundle is built once per run and every local server the
 * tests start serves it (LOCAL_LAMBDA_BUNDLE), instead of one esbuild run per server.
 */
export default async function setup() {
  const build = await buildLambda();
  process.env.LOCAL_LAMBDA_BUNDLE = build.taskRoot;
  return () => build.close();
}
