import { Aspects } from "aws-cdk-lib";
import type { CloudAssembly } from "aws-cdk-lib/cx-api";
import { AwsSolutionsChecks, NagSuppressions } from "cdk-nag";
import type { App } from "sst/constructs/App.js";
import { Stack } from "sst/constructs/Stack.js";

/**
 * AWS's own security rules (cdk-nag's AwsSolutions pack) over every stack of the app. Each
 * suppression sits next to what it excuses, with its reason; docs/operations.md lists them all.
 */
export function auditStacks(app: App): void {
  for (const stack of app.node.children) {
    if (stack instanceof Stack) suppressSstInternals(stack);
  }
  Aspects.of(app).add(new AwsSolutionsChecks({ verbose: true }));
}

/** SST adds a custom-resource handler to every stack (stack outputs, asset uploads); it is SST's code, not ours. */
function suppressSstInternals(stack: Stack): void {
  NagSuppressions.addResourceSuppressions(
    stack.customResourceHandler,
    [
      {
        id: "AwsSolutions-IAM4",
        reason: "SST's own custom-resource handler logs through the AWS-managed basic execution policy.",
        appliesTo: ["Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole"],
      },
      { id: "AwsSolutions-L1", reason: "SST chooses the runtime of its own custom-resource handler." },
    ],
    true,
  );
}

export interface NagFinding {
  stack: string;
  path: string;
  level: string;
  finding: string;
}

/** Every unsuppressed cdk-nag finding in a synthesized assembly (errors and warnings alike). */
export function nagFindings(assembly: CloudAssembly): NagFinding[] {
  return assembly.stacks.flatMap((artifact) =>
    artifact.messages
      .filter((message) => String(message.entry.data).startsWith("AwsSolutions-"))
      .map((message) => ({
        stack: artifact.stackName,
        path: message.id,
        level: message.level,
        finding: String(message.entry.data).split("\n")[0]!,
      })),
  );
}
