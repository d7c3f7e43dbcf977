import { cp, mkdir, mkdtemp, readdir, rm } from "node:fs/promises";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { lambdaNodejsProps } from "../../../../stacks/lambda-bundle.ts";
import { sstBuildOptions, sstEsbuild } from "../../../../stacks/sst-esbuild.ts";

// Local server only: the function's bundle, built as `sst deploy` builds it (stacks/lambda-bundle.ts).

const ROOT = fileURLToPath(new URL("../../../../", import.meta.url));
const FUNCTIONS_SRC = fileURLToPath(new URL("../", import.meta.url));

export interface LambdaBuildOptions {
  /** Where the sources are: packages/functions/src of this checkout unless given (a test's copy). */
  functionsSource?: string;
  /** Rebuild on every change of a source file (npm run dev). */
  watch?: boolean;
  /** Without minification, so a debugger shows the locals' own names (as `sst dev` builds). */
  debug?: boolean;
  /** A build after the first: its folder (a fresh one each time), or the build error's text. */
  onRebuild?(outcome: { taskRoot: string } | { error: string }): void;
}

export interface LambdaBuild {
  /** The folder of the first build: LAMBDA_TASK_ROOT. */
  taskRoot: string;
  /** The function's handler setting within it. */
  handler: string;
  close(): Promise<void>;
}

interface BuildResult {
  errors: { text: string; location?: { file: string; line: number; column: number } | null }[];
}

/**
 * Builds the function's entry with the stacks' esbuild settings under .sst/local-lambda/. Each good
 * build is copied to a folder of its own, so workers running an older one keep their files; a failed
 * one is reported and the last good folder stays the one to serve.
 */
export async function buildLambda(options: LambdaBuildOptions = {}): Promise<LambdaBuild> {
  const prebuilt = process.env.LOCAL_LAMBDA_BUNDLE;
  // A test run builds once (packages/functions/test/local/build-once.ts); a server that watches or debugs builds its own.
  if (prebuilt && !options.watch && !options.debug && !options.functionsSource) {
    return { taskRoot: prebuilt, handler: "lambda.handler", close: async () => {} };
  }
  const entry = path.join(options.functionsSource ?? FUNCTIONS_SRC, "lambda.ts");
  const runsDir = path.join(ROOT, ".sst", "local-lambda");
  await mkdir(runsDir, { recursive: true });
  await removeStaleRuns(runsDir);
  const runDir = await mkdtemp(path.join(runsDir, `run-${process.pid}-`));
  // Same depth as the build folder: the maps' relative source paths hold in every copy.
  const buildDir = path.join(runDir, "build");
  let generation = 0;
  const copyBuild = async () => {
    const taskRoot = path.join(runDir, `gen-${++generation}`);
    await cp(buildDir, taskRoot, { recursive: true });
    return taskRoot;
  };
  let first: ((outcome: { taskRoot: string } | { error: string }) => void) | undefined;
  const firstBuild = new Promise<{ taskRoot: string } | { error: string }>((resolve) => (first = resolve));
  const reportBuild = {
    name: "local-lambda-builds",
    setup(build: { onEnd(callback: (result: BuildResult) => Promise<void>): void }) {
      build.onEnd(async (result) => {
        const outcome = result.errors.length ? { error: describeErrors(result) } : { taskRoot: await copyBuild() };
        if (first) {
          first(outcome);
          first = undefined;
        } else options.onRebuild?.(outcome);
      });
    },
  };
  const nodejs = options.debug ? { ...lambdaNodejsProps, minify: false } : lambdaNodejsProps;
  const plugins = [...(nodejs.esbuild.plugins ?? []), reportBuild];
  const context = await sstEsbuild.context({ ...sstBuildOptions(entry, buildDir, nodejs, plugins), absWorkingDir: ROOT });
  const close = async () => {
    await context.dispose();
    await rm(runDir, { recursive: true, force: true });
  };
  if (options.watch) await (context as unknown as { watch(): Promise<void> }).watch();
  else await context.rebuild().catch(() => {});
  const outcome = await firstBuild;
  if ("error" in outcome) {
    await close();
    throw new Error(`The Lambda bundle did not build:\n${outcome.error}`);
  }
  return { taskRoot: outcome.taskRoot, handler: `${path.parse(entry).name}.handler`, close };
}

/** A build folder no worker runs any more (WorkerPool's onUnused). */
export async function removeBuild(taskRoot: string): Promise<void> {
  await rm(taskRoot, { recursive: true, force: true });
}

/** Removes the run-<pid>-* folders of servers that are gone (killed before their close() ran). */
export async function removeStaleRuns(runsDir: string): Promise<void> {
  const names = await readdir(runsDir).catch(() => []);
  const stale = names.filter((name) => name.startsWith("run-") && !isRunning(Number(name.split("-")[1])));
  await Promise.all(stale.map((name) => rm(path.join(runsDir, name), { recursive: true, force: true })));
}

function isRunning(pid: number): boolean {
  if (!Number.isInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
}

function describeErrors(result: BuildResult): string {
  return result.errors
    .map(({ text, location }) => (location ? `${location.file}:${location.line}:${location.column}: ${text}` : text))
    .join("\n");
}
