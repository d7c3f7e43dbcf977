import { defineConfig } from "vite";
import react from "@vitejs/plugin-react";

/**
 * The local console (served by `npm start` at /console): a build of its own, next to the web
 * app's, so the deployed site (the web app's vite.config.ts) never holds it.
 */
export default defineConfig(({ command }) => {
  if (command === "build") process.env.NODE_ENV = "production";
  return {
    root: import.meta.dirname,
    base: "/console/",
    plugins: [react()],
    build: { outDir: "../dist-console", emptyOutDir: true, target: "es2022" },
  };
});
