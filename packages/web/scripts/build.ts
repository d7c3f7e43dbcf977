import { createHash } from "node:crypto";
import { existsSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join, relative } from "node:path";
import { fileURLToPath } from "node:url";
import { APP_SETTINGS } from "../src/config.ts";

/**
 * Builds the web app into packages/web/dist when its sources changed since the last build
 * (a content hash, so fresh clones, pulls and branch switches all rebuild and nothing else does).
 * `npm start` runs it first; `--force` always builds.
 */
export const WEB_DIR = fileURLToPath(new URL("..", import.meta.url));
export const DIST_DIR = join(WEB_DIR, "dist");
const STAMP = join(DIST_DIR, ".source-hash");
/** The app's sources, and the one core module it imports (its search words: highlight.ts, use-notes.ts). */
const INPUTS = [
  "index.html", "vite.config.ts", "package.json", "src", "public", "../core/src/words.ts",
  ".env", ".env.local", ".env.production", ".env.production.local",
];
/** The local console (/console on npm start): a build of its own, never part of the deployed site. */
const CONSOLE_DIR = join(WEB_DIR, "console");
export const CONSOLE_DIST_DIR = join(WEB_DIR, "dist-console");
const CONSOLE_STAMP = join(CONSOLE_DIST_DIR, ".source-hash");

/**
 * Settings not given in the environment are built as `{{ VITE_NAME }}` placeholders, as SST builds
 * the deployed app; the local server fills them in (user pool ids, endpoint) as it serves the files.
 */
function placeholdersForUnset(): Record<string, string> {
  return Object.fromEntries(APP_SETTINGS.filter((name) => !process.env[name]).map((name) => [name, `{{ ${name} }}`]));
}

export function sourceHash(root = WEB_DIR, inputs = INPUTS): string {
  const hash = createHash("sha256");
  // VITE_ variables from the shell are baked into the bundle too.
  const viteEnv = Object.entries({ ...process.env, ...placeholdersForUnset() }).filter(([name]) => name.startsWith("VITE_")).sort();
  hash.update(JSON.stringify(viteEnv));
  for (const file of inputs.flatMap((input) => filesUnder(join(root, input))).sort()) {
    hash.update(relative(WEB_DIR, file)).update("\0").update(readFileSync(file)).update("\0");
  }
  return hash.digest("hex");
}

function filesUnder(path: string): string[] {
  if (!existsSync(path)) return [];
  try {
    return readdirSync(path, { withFileTypes: true }).flatMap((entry) => filesUnder(join(path, entry.name)));
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOTDIR") return [path];
    throw error;
  }
}

export function isWebAppBuilt(hash = sourceHash()): boolean {
  return existsSync(join(DIST_DIR, "index.html")) && existsSync(STAMP) && readFileSync(STAMP, "utf8") === hash;
}

export async function buildWebApp({ force = false } = {}): Promise<"built" | "up to date"> {
  const consoleOutcome = await buildConsole({ force });
  const hash = sourceHash();
  if (!force && isWebAppBuilt(hash)) return consoleOutcome;
  const nodeEnv = process.env.NODE_ENV;
  try {
    // Loaded only when there is something to build, so an up-to-date `npm start` stays quick.
    const { build } = await import("vite");
    const define = Object.fromEntries(
      Object.entries(placeholdersForUnset()).map(([name, value]) => [`import.meta.env.${name}`, JSON.stringify(value)]),
    );
    await build({ root: WEB_DIR, configFile: join(WEB_DIR, "vite.config.ts"), logLevel: "warn", mode: "production", define });
  } finally {
    // vite.config.ts switches NODE_ENV to production for the build; a test process gets its own back.
    if (nodeEnv === undefined) delete process.env.NODE_ENV;
    else process.env.NODE_ENV = nodeEnv;
  }
  writeFileSync(STAMP, hash);
  return "built";
}

/** The console page, rebuilt when its sources (or the web package's) changed. */
async function buildConsole({ force = false } = {}): Promise<"built" | "up to date"> {
  const hash = sourceHash(WEB_DIR, ["console", "package.json"]);
  if (!force && existsSync(CONSOLE_STAMP) && readFileSync(CONSOLE_STAMP, "utf8") === hash) return "up to date";
  const nodeEnv = process.env.NODE_ENV;
  try {
    const { build } = await import("vite");
    await build({ root: CONSOLE_DIR, configFile: join(CONSOLE_DIR, "vite.config.ts"), logLevel: "warn", mode: "production" });
  } finally {
    if (nodeEnv === undefined) delete process.env.NODE_ENV;
    else process.env.NODE_ENV = nodeEnv;
  }
  writeFileSync(CONSOLE_STAMP, hash);
  return "built";
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const started = performance.now();
  const outcome = await buildWebApp({ force: process.argv.includes("--force") });
  const where = relative(process.cwd(), DIST_DIR) || DIST_DIR;
  process.stdout.write(
    outcome === "built"
      ? `Web app built into ${where} in ${Math.round(performance.now() - started)} ms.\n`
      : `Web app in ${where} is up to date.\n`,
  );
}
