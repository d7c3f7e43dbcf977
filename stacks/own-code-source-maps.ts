import { readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { decode, encode, type SourceMapSegment } from "@jridgewell/sourcemap-codec";

/** The parts of a source map (v3) this rewrite reads and writes. */
export interface RawSourceMap {
  version: number;
  sources: string[];
  names: string[];
  mappings: string;
  [key: string]: unknown;
}

const isOwnSource = (source: string) => !source.includes("node_modules/");

/**
 * Keeps the mappings of the project's own code and marks each stretch of bundled dependencies as
 * unmapped, so `--enable-source-maps` still names our TypeScript in stack traces while Node reads
 * and parses a map a quarter of the size at every cold start (docs/decisions/2026-11-30-own-code-source-maps.md). A dependency's
 * frame keeps its bundle position instead of borrowing the nearest earlier mapping, which would
 * name the wrong file. `sources` is kept whole: it still says which packages the chunk holds.
 */
export function keepOwnMappings(map: RawSourceMap, isOwn: (source: string) => boolean = isOwnSource): RawSourceMap {
  const own = map.sources.map(isOwn);
  const names: string[] = [];
  const nameIndex = new Map<number, number>();
  const lines = decode(map.mappings).map((line) => {
    const kept: SourceMapSegment[] = [];
    let unmapped = false;
    for (const segment of line) {
      if (segment.length > 1 && own[segment[1]!]) {
        if (segment.length === 5) {
          let index = nameIndex.get(segment[4]);
          if (index === undefined) nameIndex.set(segment[4], (index = names.push(map.names[segment[4]]!) - 1));
          kept.push([segment[0], segment[1], segment[2], segment[3], index]);
        } else kept.push(segment);
        unmapped = false;
      } else if (!unmapped) {
        // A one-field segment: from this column on, nothing is mapped (until the next own segment).
        kept.push([segment[0]]);
        unmapped = true;
      }
    }
    return kept;
  });
  return { ...map, names, mappings: encode(lines) };
}

/**
 * An esbuild plugin (SST passes `nodejs.esbuild.plugins` through) that rewrites every source map
 * the build wrote with keepOwnMappings.
 */
export function ownCodeSourceMaps() {
  return {
    name: "own-code-source-maps",
    setup(build: {
      initialOptions: { absWorkingDir?: string };
      onEnd(callback: (result: { metafile?: { outputs: Record<string, unknown> } }) => void): void;
    }) {
      build.onEnd((result) => {
        const cwd = build.initialOptions.absWorkingDir ?? process.cwd();
        for (const output of Object.keys(result.metafile?.outputs ?? {})) {
          if (!output.endsWith(".map")) continue;
          const file = path.resolve(cwd, output);
          const map = JSON.parse(readFileSync(file, "utf8")) as RawSourceMap;
          writeFileSync(file, JSON.stringify(keepOwnMappings(map)));
        }
      });
    },
  };
}
