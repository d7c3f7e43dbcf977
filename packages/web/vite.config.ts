import { defineConfig, type UserConfig } from "vite";
import react from "@vitejs/plugin-react";

const LOCAL_API = process.env.NOTES_API_ORIGIN ?? "http://localhost:4000";

const config: UserConfig = {
  root: import.meta.dirname,
  plugins: [react()],
  build: { outDir: "dist", emptyOutDir: true, target: "es2022" },
  // `npm run dev -w @notes/web`: hot reload against the API of a running `npm start`.
  server: {
    proxy: {
      "/graphql": LOCAL_API,
      // The API's dev sign-in answers only a page on its own origin: the Host the browser sent
      // (Vite's) must reach it unchanged, where the shorthand would rewrite it to the API's.
      "/dev/sign-in": { target: LOCAL_API, changeOrigin: false },
    },
  },
};

export default defineConfig(({ command }) => {
  // A build is always React's production build, even when started under NODE_ENV=test (vitest, SST synth in tests).
  if (command === "build") process.env.NODE_ENV = "production";
  return config;
});
