import { readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { defineConfig, type UserConfig } from "vite";
import react from "@vitejs/plugin-react";

const LOCAL_API = process.env.NOTES_API_ORIGIN ?? "http://localhost:4000";

const config: UserConfig = {
  root: import.meta.dirname,
  plugins: [react()],
  build: { outDir: "dist", emptyOutDir: true, target: "es2022" },
  // `npm run dev -w @notes/web`: hot reload against the API of a running `npm start`.
  server: { proxy: { "/graphql": LOCAL_API } },
};

/**
 * The dev server has no one to fill in the user pool settings, so it reads them where the running
 * `npm start` keeps them (DATA_DIR, .data at the repo root by default).
 */
function runningLocalPool(): Record<string, string> {
  const dir = join(resolve(import.meta.dirname, "../..", process.env.DATA_DIR?.trim() || ".data"), "cognito");
  try {
    const ids = JSON.parse(readFileSync(join(dir, "pool.json"), "utf8")) as { userPoolId: string; clientId: string };
    const { endpoint } = JSON.parse(readFileSync(join(dir, "running.json"), "utf8")) as { endpoint: string };
    return {
      VITE_REGION: "local",
      VITE_USER_POOL_ID: ids.userPoolId,
      VITE_USER_POOL_CLIENT_ID: ids.clientId,
      VITE_USER_POOL_ENDPOINT: endpoint,
    };
  } catch {
    return {};
  }
}

export default defineConfig(({ command }) => {
  // A build is always React's production build, even when started under NODE_ENV=test (vitest, SST synth in tests).
  if (command === "build") process.env.NODE_ENV = "production";
  if (command === "serve") {
    const define = Object.entries(runningLocalPool()).map(([name, value]) => [`import.meta.env.${name}`, JSON.stringify(value)]);
    return { ...config, define: Object.fromEntries(define) };
  }
  return config;
});
