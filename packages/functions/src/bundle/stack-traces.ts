import { readFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { decode, type SourceMapSegment } from "@jridgewell/sourcemap-codec";

/**
 * Stack traces of the Lambda bundle in TypeScript terms, the way `--enable-source-maps` prints
 * them, but paid for when a stack is formatted instead of at every cold start: with that flag
 * Node scans each bundle file's whole text when it loads it (its `lineLengths`) whether or not a
 * stack is ever printed — ≈ 4 % of a cold start's CPU and ≈ 8 MB of memory here (bench/README.md).
 * A bundle file's map is read and decoded the first time one of its frames is formatted.
 * Only installed where Node's own source maps are off and no other tool formats stacks.
 */

interface DecodedMap {
  lines: SourceMapSegment[][];
  sources: string[];
  names: string[];
}

const bundleDir = path.dirname(fileURLToPath(import.meta.url));
const maps = new Map<string, DecodedMap | null>();

/** The decoded map of a bundle file, or null (not ours, no map, unreadable). */
function mapOf(fileName: string | null | undefined): DecodedMap | null {
  if (!fileName) return null;
  let map = maps.get(fileName);
  if (map === undefined) {
    map = null;
    try {
      const file = fileName.startsWith("file://") ? fileURLToPath(fileName) : fileName;
      if (path.dirname(file) === bundleDir) {
        const raw = JSON.parse(readFileSync(`${file}.map`, "utf8")) as {
          mappings: string;
          sources: string[];
          names?: string[];
          sourceRoot?: string;
        };
        map = {
          lines: decode(raw.mappings),
          sources: raw.sources.map((source) => path.resolve(bundleDir, raw.sourceRoot ?? "", source)),
          names: raw.names ?? [],
        };
      }
    } catch {
      map = null; // a frame stays as V8 wrote it
    }
    maps.set(fileName, map);
  }
  return map;
}

/** The mapping in force at a 1-based line and column: the last segment at or before it, if it maps. */
function segmentAt(map: DecodedMap, line: number | null, column: number | null): MappedSegment | undefined {
  if (line === null || column === null) return undefined;
  const segments = map.lines[line - 1];
  if (!segments) return undefined;
  let low = 0;
  let high = segments.length - 1;
  let found: SourceMapSegment | undefined;
  while (low <= high) {
    const middle = (low + high) >> 1;
    if (segments[middle]![0] <= column - 1) {
      found = segments[middle];
      low = middle + 1;
    } else high = middle - 1;
  }
  return found && found.length >= 4 ? (found as MappedSegment) : undefined;
}

type MappedSegment = [number, number, number, number] | [number, number, number, number, number];

/** A frame with its TypeScript place and, where the minifier renamed it, the function's own name. */
function formatFrame(site: NodeJS.CallSite, caller: NodeJS.CallSite | undefined): string {
  const map = mapOf(site.getFileName());
  const place = map && segmentAt(map, site.getLineNumber(), site.getColumnNumber());
  if (!map || !place) return String(site);
  const enclosing = segmentAt(map, site.getEnclosingLineNumber(), site.getEnclosingColumnNumber());
  let name = enclosing?.length === 5 ? map.names[enclosing[4]] : undefined;
  // The call site names the callee, also when it is in another chunk of the bundle.
  const callerMap = caller && mapOf(caller.getFileName());
  if (!name && caller && callerMap) {
    const call = segmentAt(callerMap, caller.getLineNumber(), caller.getColumnNumber());
    name = call?.length === 5 ? callerMap.names[call[4]] : undefined;
  }
  const typeName = site.getTypeName();
  const qualifier = typeName !== null && typeName !== "global" ? `${typeName}.` : "";
  const own = site.getFunctionName() ?? site.getMethodName() ?? "<anonymous>";
  const prefix = site.isAsync() ? "async " : site.isConstructor() ? "new " : "";
  return `${prefix}${qualifier}${name || own} (${map.sources[place[1]]}:${place[2] + 1}:${place[3] + 1})`;
}

function errorHeader(error: unknown): string {
  try {
    return Error.prototype.toString.call(error);
  } catch {
    return "Error";
  }
}

/** Node's own formatter (a function since Node 21, absent before); anything else is a tool's (a test runner's). */
const nodeDefault = !Error.prepareStackTrace || Error.prepareStackTrace.name === "ErrorPrepareStackTrace";

// On import: the Lambda's entry imports this module first, before any other module's code runs.
if (!process.sourceMapsEnabled && nodeDefault) {
  Error.prepareStackTrace = (error, sites) => {
    let text = errorHeader(error);
    for (let i = 0; i < sites.length; i++) {
      let frame: string;
      try {
        frame = formatFrame(sites[i]!, sites[i + 1]);
      } catch {
        frame = String(sites[i]);
      }
      text += `\n    at ${frame}`;
    }
    return text;
  };
}
