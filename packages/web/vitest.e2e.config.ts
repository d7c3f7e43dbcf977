import { defineConfig } from "vitest/config";

/** `npm run test:e2e`: the built web app in headless Chromium against the in-process local server. */
export default defineConfig({
  root: import.meta.dirname,
  // Same as the root config: yoga and Pothos must share graphql's CommonJS build.
  resolve: { alias: [{ find: /^graphql$/, replacement: "graphql/index.js" }] },
  test: {
    include: ["e2e/**/*.e2e.ts"],
    testTimeout: 120_000,
    hookTimeout: 120_000,
    fileParallelism: false,
    maxWorkers: 1,
    // The browser answers in milliseconds here; slow CI machines get headroom, not flakes.
    expect: { poll: { timeout: 10_000 } },
  },
});
