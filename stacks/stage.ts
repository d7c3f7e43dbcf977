import { RemovalPolicy } from "aws-cdk-lib";
import { RetentionDays } from "aws-cdk-lib/aws-logs";

// Every stage-dependent decision lives here; stacks ask `stageSettings(app.stage)` and never compare stage names.

/** Stages that are always protected; more come from PROTECTED_STAGES (comma-separated). */
const ALWAYS_PROTECTED = ["prod"];

/** SST puts the stage into stack and resource names, so it must be a CloudFormation-safe name. */
const STAGE_NAME = /^[A-Za-z][A-Za-z0-9-]*$/;

export interface StageSettings {
  stage: string;
  /** Protected stages keep their data: tables, user pools and logs survive `sst remove`. */
  isProtected: boolean;
  removalPolicy: RemovalPolicy;
  /** For stateful resources that have a deletion-protection switch (DynamoDB, Cognito). */
  deletionProtection: boolean;
  pointInTimeRecovery: boolean;
  /** Log retention in days (the enum's values are the day counts). */
  logRetention: RetentionDays;
  /** The same retention in the shape SST's `accessLog.retention` wants. */
  logRetentionName: Lowercase<keyof typeof RetentionDays>;
}

export function protectedStages(env: NodeJS.ProcessEnv = process.env): string[] {
  const extra = (env.PROTECTED_STAGES ?? "")
    .split(",")
    .map((name) => name.trim())
    .filter((name) => name.length > 0);
  return [...new Set([...ALWAYS_PROTECTED, ...extra])];
}

export function assertValidStageName(stage: string): void {
  if (!STAGE_NAME.test(stage)) {
    throw new Error(
      `Invalid stage "${stage}": use letters, digits and hyphens, starting with a letter (it becomes part of stack names).`,
    );
  }
}

export function stageSettings(stage: string, env: NodeJS.ProcessEnv = process.env): StageSettings {
  assertValidStageName(stage);
  const isProtected = protectedStages(env).includes(stage);
  return isProtected
    ? {
        stage,
        isProtected,
        removalPolicy: RemovalPolicy.RETAIN,
        deletionProtection: true,
        pointInTimeRecovery: true,
        logRetention: RetentionDays.THREE_MONTHS,
        logRetentionName: "three_months",
      }
    : {
        stage,
        isProtected,
        removalPolicy: RemovalPolicy.DESTROY,
        deletionProtection: false,
        pointInTimeRecovery: false,
        logRetention: RetentionDays.ONE_WEEK,
        logRetentionName: "one_week",
      };
}
