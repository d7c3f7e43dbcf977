import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["packages/*/test/**/*.test.ts", "stacks/**/*.test.ts"],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    // 2-core machines: keep parallel files bounded so dynalite and servers don't starve.
    maxWorkers: 2,
  },
});
