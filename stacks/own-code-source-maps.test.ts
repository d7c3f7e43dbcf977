import { execFileSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import * as esbuild from "esbuild";
import { keepOwnMappings, ownCodeSourceMaps, type RawSourceMap } from "./own-code-source-maps.ts";

/**
 * A project of two files, ours and a dependency's, minified into one line as the Lambda bundle is,
 * then run by Node with --enable-source-maps: the stack trace must name our TypeScript for our
 * frames and leave the dependency's frame at its bundle position (not our file's nearest line).
 */
const dir = mkdtempSync(path.join(tmpdir(), "own-maps-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function project(): string {
  mkdirSync(path.join(dir, "node_modules/dep"), { recursive: true });
  writeFileSync(
    path.join(dir, "node_modules/dep/index.js"),
    "export function callBack(fn) {\n  const wrapped = () => fn();\n  return wrapped();\n}\nexport function fail() {\n  throw new Error('from the dependency');\n}\n",
  );
  // Ours first, then the dependency, in the bundle's one line: an unmapped dependency would borrow first.ts's mapping.
  writeFileSync(path.join(dir, "first.ts"), 'export const label = (text: string): string => `[${text}]`;\n');
  writeFileSync(
    path.join(dir, "app.ts"),
    [
      'import { label } from "./first.ts";',
      'import { callBack, fail } from "dep";',
      "",
      "export function ours(): string {",
      "  return callBack(() => {",
      '    throw new Error(label("from our code"));',
      "  });",
      "}",
      "",
      "// Not exported: the minifier renames it, only the map knows its name.",
      "function refuseEverything(text: string): never {",
      "  throw new Error(text);",
      "}",
      "",
      "export function renamed(): void {",
      '  callBack(() => refuseEverything(label("renamed")));',
      "}",
      "",
      "export function theirs(): void {",
      "  callBack(fail);",
      "}",
      "",
    ].join("\n"),
  );
  return path.join(dir, "app.ts");
}

const stackTraces = path.resolve(import.meta.dirname, "../packages/functions/src/bundle/stack-traces.ts");

/** As the Lambda's entry does: the stack-trace mapper first, then the code. */
function projectWithMapper(): string {
  const entry = path.join(dir, "entry.ts");
  writeFileSync(entry, `import ${JSON.stringify(stackTraces)};\nexport { ours, theirs, renamed } from "./app.ts";\n`);
  project();
  return entry;
}

async function build(plugins: esbuild.Plugin[], entry = project(), name = plugins.length ? "own" : "full"): Promise<string> {
  const outdir = path.join(dir, name);
  await esbuild.build({
    entryPoints: [entry],
    absWorkingDir: dir,
    bundle: true,
    minify: true,
    format: "esm",
    platform: "node",
    sourcemap: true,
    sourcesContent: false,
    metafile: true,
    outdir,
    outExtension: { ".js": ".mjs" },
    logLevel: "silent",
    plugins,
  });
  return path.join(outdir, `${path.parse(entry).name}.mjs`);
}

function stackOf(bundle: string, fn: "ours" | "theirs" | "renamed", nodeOptions = ["--enable-source-maps"]): string {
  const script = `import(${JSON.stringify(bundle)}).then((m) => { try { m.${fn}(); } catch (e) { console.log(e.stack); } })`;
  return execFileSync(process.execPath, [...nodeOptions, "-e", script], { encoding: "utf8" });
}

describe("source maps of our own code only", () => {
  it("keeps our frames mapped to TypeScript and leaves dependency frames at their bundle positions", async () => {
    const full = await build([]);
    const own = await build([ownCodeSourceMaps() as esbuild.Plugin]);
    const fullMap = JSON.parse(readFileSync(`${full}.map`, "utf8")) as RawSourceMap;
    const ownMap = JSON.parse(readFileSync(`${own}.map`, "utf8")) as RawSourceMap;
    expect(ownMap.sources).toEqual(fullMap.sources);
    expect(ownMap.mappings.length).toBeLessThan(fullMap.mappings.length);

    const ours = stackOf(own, "ours");
    expect(ours).toContain("Error: [from our code]");
    expect(ours).toMatch(/app\.ts:6:\d+/);
    expect(ours).toMatch(/app\.ts:5:\d+/);
    // The dependency's frames between ours: unmapped, in the bundle, never attributed to app.ts.
    expect(ours).toMatch(/own\/app\.mjs:1:\d+/);
    expect(ours).not.toContain("node_modules/dep");
    expect(ours).not.toContain("first.ts");

    const theirs = stackOf(own, "theirs");
    expect(theirs.split("\n")[1]).toMatch(/own\/app\.mjs:1:\d+/);
    expect(theirs).toMatch(/app\.ts:20:\d+/);
    expect(theirs).not.toContain("first.ts");
    // With the full map the same frame names the dependency's file: the difference is only there.
    expect(stackOf(full, "theirs").split("\n")[1]).toContain("node_modules/dep/index.js:6");
  });

  it("is what the bundle's own mapper prints without --enable-source-maps (packages/functions/src/bundle/stack-traces.ts)", async () => {
    const bundle = await build([ownCodeSourceMaps() as esbuild.Plugin], projectWithMapper(), "mapper");
    expect(stackOf(bundle, "renamed").split("\n")[1]).toMatch(/^ {4}at refuseEverything \(.*app\.ts:\d+:\d+\)$/);
    for (const fn of ["ours", "theirs", "renamed"] as const) {
      const byNode = stackOf(bundle, fn);
      const byMapper = stackOf(bundle, fn, []);
      expect(byMapper).toBe(byNode);
      expect(byMapper).toMatch(/app\.ts:\d+:\d+/);
    }
    // Without the mapper (and without the flag) nothing would be mapped: the comparison above can fail.
    expect(stackOf(await build([ownCodeSourceMaps() as esbuild.Plugin]), "ours", [])).not.toMatch(/app\.ts:/);
  });

  it("renumbers the names it keeps and drops the others", () => {
    const map: RawSourceMap = {
      version: 3,
      sources: ["../node_modules/x/a.js", "../src/b.ts"],
      names: ["dependencyName", "ownName"],
      // Line 0: [col 0, dep, 0, 0, name 0], [col 10, own, 0, 0, name 1], [col 20, dep], [col 30, dep], [col 40, own]
      mappings: "AAAAA,UCAAC,UDAA,UAAA,UCAA",
    };
    const kept = keepOwnMappings(map);
    expect(kept.names).toEqual(["ownName"]);
    expect(kept.sources).toEqual(map.sources);
    // [0] unmapped, [10, own, 0, 0, name 0], [20] unmapped (the second dependency segment merged), [40, own].
    expect(kept.mappings).toBe("A,UCAAA,U,oBAAA");
  });
});
