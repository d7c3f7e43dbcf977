import path from "node:path";
import { parseArgs } from "node:util";
import { assertValidStageName } from "../stacks/stage.ts";

const USAGE = "Usage: npm run synth -- --stage <name>";

function stageFromArgs(): string | undefined {
  try {
    const { values } = parseArgs({ options: { stage: { type: "string" } }, strict: true });
    return values.stage;
  } catch (error) {
    console.error((error as Error).message);
    return undefined;
  }
}

function validStage(stage: string | undefined): stage is string {
  if (!stage) return false;
  try {
    assertValidStageName(stage);
    return true;
  } catch (error) {
    console.error((error as Error).message);
    return false;
  }
}

const stage = stageFromArgs();
if (!validStage(stage)) {
  console.error(USAGE);
  process.exit(2);
}

// sst's credentials module loads aws-sdk v2, whose end-of-support notice is noise here: nothing calls AWS.
process.env.AWS_SDK_JS_SUPPRESS_MAINTENANCE_MODE_MESSAGE ??= "1";

try {
  const { synthesize } = await import("../stacks/synth.ts");
  const { nagFindings } = await import("../stacks/nag.ts");
  const { templates, outdir, assembly } = await synthesize(stage);
  const findings = nagFindings(assembly);
  // performance.now() counts from process start, so this includes loading CDK/SST and bundling.
  const seconds = (performance.now() / 1000).toFixed(1);
  for (const template of templates) console.log(path.relative(process.cwd(), template));
  console.log(`Synthesized ${templates.length} stacks for stage "${stage}" into ${path.relative(process.cwd(), outdir)} in ${seconds}s (offline, no AWS calls).`);
  for (const finding of findings) console.error(`cdk-nag ${finding.level}: ${finding.path}: ${finding.finding}`);
  console.log(`cdk-nag (AwsSolutions): ${findings.length} unsuppressed findings.`);
  process.exit(findings.length === 0 ? 0 : 1);
} catch (error) {
  console.error(error instanceof Error ? (error.stack ?? error.message) : error);
  process.exit(1);
}
