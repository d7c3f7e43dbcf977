import { existsSync, readFileSync } from "node:fs";
import { rm } from "node:fs/promises";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { parseEnv } from "node:util";
import { Aws } from "aws-cdk-lib";
import type { CloudAssembly } from "aws-cdk-lib/cx-api";
import { App } from "sst/constructs/App.js";
import { Stack } from "sst/constructs/Stack.js";
import { initProject, useProject } from "sst/project.js";
import sstConfig from "../sst.config.ts";
import { auditStacks } from "./nag.ts";
import { assertValidStageName } from "./stage.ts";

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
export const DEFAULT_OUTDIR = path.join(ROOT, ".sst", "dist");

export interface Synthesized {
  app: App;
  assembly: CloudAssembly;
  stacks: Stack[];
  /** Absolute paths of the CloudFormation templates written, one per stack. */
  templates: string[];
  outdir: string;
}

/**
 * What `sst build` does, minus its AWS calls (STS identity, bootstrap lookup, sourcemap upload):
 * stacks are synthesized and functions bundled offline, with a placeholder account. cdk-nag's
 * AwsSolutions checks run over every stack (stacks/nag.ts); nagFindings() reads what they found.
 */
export async function synthesize(stage: string, outdir: string = DEFAULT_OUTDIR): Promise<Synthesized> {
  assertValidStageName(stage);
  // SST skips its bootstrap-bucket lookup and sourcemap upload only when it believes it is under test.
  process.env.NODE_ENV = "test";
  // SST resolves handler paths against the working directory, as its CLI does from the project root.
  const cwd = process.cwd();
  if (cwd !== ROOT) process.chdir(ROOT);
  try {
    loadDotEnvLikeSstCli();
    await initProject({ stage, root: ROOT });
    const { config } = useProject();
    await rm(outdir, { recursive: true, force: true });

    const app = new App(
      {
        mode: "deploy",
        stage,
        name: config.name,
        region: config.region,
        account: process.env.CDK_DEFAULT_ACCOUNT ?? Aws.ACCOUNT_ID,
      },
      { outdir, context: { "aws:cdk:enable-path-metadata": false } },
    );
    await sstConfig.stacks(app);
    await app.finish();
    auditStacks(app);
    const assembly = app.synth();

    const stacks = app.node.children.filter((child): child is Stack => child instanceof Stack);
    const templates = assembly.stacks.map((artifact) => path.join(assembly.directory, artifact.templateFile));
    return { app, assembly, stacks, templates, outdir };
  } finally {
    if (process.cwd() !== cwd) process.chdir(cwd);
  }
}

/** The sst CLI loads these (overriding the shell) before reading sst.config.ts; initProject adds `.env.<stage>` later. */
function loadDotEnvLikeSstCli(): void {
  for (const file of [".env", ".env.local"]) {
    const full = path.join(ROOT, file);
    if (existsSync(full)) Object.assign(process.env, parseEnv(readFileSync(full, "utf8")));
  }
}
