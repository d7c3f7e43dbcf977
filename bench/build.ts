import { statSync } from "node:fs";
import { copyFile, mkdir, readFile, rm } from "node:fs/promises";
import path from "node:path";
import { fileURLToPath } from "node:url";
import type { NodeJSProps } from "sst/constructs";
import { lambdaNodejsProps } from "../stacks/lambda-bundle.ts";
import { sstBuildOptions, sstEsbuild } from "../stacks/sst-esbuild.ts";

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
export const OUT_DIR = path.join(ROOT, ".bench");

const esbuild = sstEsbuild;
export const SST_ESBUILD_VERSION = esbuild.version;

export interface Bundle {
  name: string;
  /** The entry file (the handler's module). */
  file: string;
  /** What a cold start loads: the entry plus every chunk it imports statically (not lazy `import()` chunks). */
  bytes: number;
  /** Every file of the bundle: all code chunks and their source maps. */
  totalBytes: number;
  sourcemapBytes: number;
  /** Each output file (relative to the bundle's folder) and its size. */
  files: Record<string, number>;
}

interface Metafile {
  outputs: Record<string, { bytes: number; entryPoint?: string; imports: { path: string; kind: string; external?: boolean }[] }>;
}

/**
 * Builds `entry` with the options SST v2 (runtime/handlers/node.js, mode "deploy") derives from a
 * function's `nodejs` props, so each contender is bundled exactly as the deployed Lambda.
 */
export async function buildLikeSst(
  name: string,
  entry: string,
  nodejs: NodeJSProps = lambdaNodejsProps,
): Promise<Bundle> {
  const outfile = path.join(OUT_DIR, name, `${path.parse(entry).name}.mjs`);
  await rm(path.dirname(outfile), { recursive: true, force: true });
  await mkdir(path.dirname(outfile), { recursive: true });
  const options = (outDir: string, plugins?: unknown[]) => sstBuildOptions(entry, outDir, nodejs, plugins);
  const { metafile } = (await esbuild.build(options(path.dirname(outfile)))) as { metafile: Metafile };
  if (nodejs.esbuild?.plugins?.length) await writeFullMaps(path.dirname(outfile), options, metafile);
  const outputs = metafile.outputs;
  // Metafile paths are relative to esbuild's working directory, the process's.
  const entryOutput = path.relative(process.cwd(), outfile);
  if (!outputs[entryOutput]) throw new Error(`${entryOutput} is not among esbuild's outputs`);
  // The entry and the chunks it imports statically, transitively: what `import` of the handler reads.
  const loaded = new Set<string>();
  const visit = (output: string) => {
    if (loaded.has(output)) return;
    loaded.add(output);
    for (const imported of outputs[output]!.imports) {
      if (imported.kind === "import-statement" && !imported.external) visit(imported.path);
    }
  };
  visit(entryOutput);
  // Sizes as written: a plugin may rewrite outputs after esbuild counted them (the source maps, stacks/own-code-source-maps.ts).
  const bytesOf = (output: string) => statSync(output).size;
  const files = Object.fromEntries(
    Object.keys(outputs).map((output) => [path.relative(path.dirname(entryOutput), output), bytesOf(output)]),
  );
  const sum = (names: Iterable<string>) => [...names].reduce((total, output) => total + bytesOf(output), 0);
  const maps = Object.keys(outputs).filter((output) => output.endsWith(".map"));
  return {
    name,
    file: outfile,
    bytes: sum(loaded),
    totalBytes: sum(Object.keys(outputs)),
    sourcemapBytes: sum(maps),
    files,
  };
}

/**
 * The deployed maps cover only our own code (stacks/own-code-source-maps.ts); the cold-start and
 * throughput profiles name dependencies too, so the same build without plugins writes full maps
 * beside the bundle as `<file>.map.full` (not read by Node, not counted). The code must be identical.
 */
async function writeFullMaps(dir: string, options: (outDir: string, plugins?: unknown[]) => object, built: Metafile) {
  const twin = `${dir}.full-maps`;
  await rm(twin, { recursive: true, force: true });
  await esbuild.build(options(twin, []));
  for (const output of Object.keys(built.outputs)) {
    const file = path.basename(output);
    const twinFile = path.join(twin, file);
    if (file.endsWith(".map")) await copyFile(twinFile, `${path.join(dir, file)}.full`);
    else if (!(await readFile(twinFile)).equals(await readFile(output))) {
      throw new Error(`${file} differs when built without plugins: the full maps would not match`);
    }
  }
  await rm(twin, { recursive: true, force: true });
}

/** Plain ESM bundle for the benchmark's own helper processes (not a contender). */
export async function buildHelper(name: string, entry: string): Promise<string> {
  const outfile = path.join(OUT_DIR, "helpers", `${name}.mjs`);
  await mkdir(path.dirname(outfile), { recursive: true });
  await esbuild.build({
    entryPoints: [entry],
    platform: "node",
    bundle: true,
    format: "esm",
    target: "node20",
    mainFields: ["module", "main"],
    logLevel: "silent",
    outfile,
    banner: { js: `import { createRequire as topLevelCreateRequire } from 'module';\nconst require = topLevelCreateRequire(import.meta.url);` },
  });
  return outfile;
}
