import { defineConfig } from "vitest/config";

export default defineConfig({
  // Node loads graphql's CommonJS main for yoga and Pothos; vite would pick index.mjs for our files.
  resolve: { alias: [{ find: /^graphql$/, replacement: "graphql/index.js" }] },
  test: {
    include: ["packages/*/test/**/*.test.ts", "stacks/**/*.test.ts", "bench/**/*.test.ts"],
    globalSetup: ["packages/functions/test/local/build-once.ts"],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    // 2-core machines: keep parallel files bounded so dynalite and servers don't starve.
    maxWorkers: 2,
    // EMF lines would sit between the log lines tests read; test/metrics.test.ts turns them on.
    env: { POWERTOOLS_METRICS_DISABLED: "true" },
  },
});
