import { createRequire } from "node:module";
import path from "node:path";
import type { NodeJSProps } from "sst/constructs";

/** The parts of esbuild's API (SST's copy) the builders here use. */
export interface Esbuild {
  version: string;
  build(options: object): Promise<unknown>;
  context(options: object): Promise<{ rebuild(): Promise<unknown>; dispose(): Promise<void> }>;
}

// SST v2 bundles with its own esbuild (0.18), not the project's; the same copy builds everything here.
const sstRequire = createRequire(createRequire(import.meta.url).resolve("sst/runtime/handlers/node.js"));
export const sstEsbuild = sstRequire("esbuild") as Esbuild;

/**
 * The esbuild options SST v2 (runtime/handlers/node.js, mode "deploy") derives from a function's
 * `nodejs` props, writing `entry`'s bundle into `outDir`: the benchmark and the local Lambda build
 * exactly what deploys. `plugins` replaces the props' own (the benchmark's full-map twin passes none).
 */
export function sstBuildOptions(entry: string, outDir: string, nodejs: NodeJSProps, plugins?: unknown[]): Record<string, unknown> {
  if ((nodejs.format ?? "esm") !== "esm") throw new Error("only SST's ESM build is reproduced");
  const { external, ...override } = nodejs.esbuild ?? {};
  return {
    entryPoints: [entry],
    platform: "node",
    external: ["sharp", "pg-native", ...(nodejs.install ?? []), ...(external ?? [])],
    loader: nodejs.loader,
    keepNames: true,
    bundle: true,
    logLevel: "silent",
    splitting: nodejs.splitting,
    metafile: true,
    outExtension: nodejs.splitting ? { ".js": ".mjs" } : undefined,
    format: "esm",
    target: "esnext",
    mainFields: ["module", "main"],
    banner: {
      js: [
        `import { createRequire as topLevelCreateRequire } from 'module';`,
        `const require = topLevelCreateRequire(import.meta.url);`,
        `import { fileURLToPath as topLevelFileUrlToPath, URL as topLevelURL } from "url"`,
        `const __dirname = topLevelFileUrlToPath(new topLevelURL(".", import.meta.url))`,
        nodejs.banner ?? "",
      ].join("\n"),
    },
    outfile: nodejs.splitting ? undefined : path.join(outDir, `${path.parse(entry).name}.mjs`),
    outdir: nodejs.splitting ? outDir : undefined,
    sourcemap: nodejs.sourcemap === false ? false : true,
    minify: nodejs.minify,
    ...override,
    plugins: plugins ?? override.plugins,
  };
}
