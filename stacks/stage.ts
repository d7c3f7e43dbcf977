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
  /**
   * The API runs only the web app's trusted documents (by hash) and refuses query text:
   * `TRUSTED_DOCUMENTS_ONLY=true` when deploying the stage. Off by default: any client may query.
   */
  trustedDocumentsOnly: boolean;
  /** Alarms, their SNS topic and the dashboard (stacks/monitoring.ts): protected stages and MONITORED_STAGES. */
  isMonitored: boolean;
  /** Addresses subscribed to the alarm topic (ALARM_EMAILS, comma-separated). */
  alarmEmails: string[];
}

function listSetting(value: string | undefined): string[] {
  return (value ?? "")
    .split(",")
    .map((item) => item.trim())
    .filter((item) => item.length > 0);
}

export function protectedStages(env: NodeJS.ProcessEnv = process.env): string[] {
  return [...new Set([...ALWAYS_PROTECTED, ...listSetting(env.PROTECTED_STAGES)])];
}

/** Monitored stages: every protected stage, plus MONITORED_STAGES (comma-separated). */
export function monitoredStages(env: NodeJS.ProcessEnv = process.env): string[] {
  return [...new Set([...protectedStages(env), ...listSetting(env.MONITORED_STAGES)])];
}

const EMAIL = /^[^\s@,]+@[^\s@,]+\.[^\s@,]+$/;

/** ALARM_EMAILS, each checked, so a typo fails the synth instead of silencing the alarms. */
export function alarmEmails(env: NodeJS.ProcessEnv = process.env): string[] {
  const emails = listSetting(env.ALARM_EMAILS);
  for (const email of emails) {
    if (!EMAIL.test(email)) throw new Error(`ALARM_EMAILS: "${email}" is not an email address.`);
  }
  return emails;
}

export function assertValidStageName(stage: string): void {
  if (!STAGE_NAME.test(stage)) {
    throw new Error(
      `Invalid stage "${stage}": use letters, digits and hyphens, starting with a letter (it becomes part of stack names).`,
    );
  }
}

/** TRUSTED_DOCUMENTS_ONLY at deploy time: "true" or "false" (unset is false); anything else stops the deploy. */
export function trustedDocumentsOnly(env: NodeJS.ProcessEnv = process.env): boolean {
  const value = env.TRUSTED_DOCUMENTS_ONLY?.trim().toLowerCase();
  if (!value || value === "false") return false;
  if (value === "true") return true;
  throw new Error(`TRUSTED_DOCUMENTS_ONLY must be true or false, got "${env.TRUSTED_DOCUMENTS_ONLY}"`);
}

export function stageSettings(stage: string, env: NodeJS.ProcessEnv = process.env): StageSettings {
  assertValidStageName(stage);
  const isProtected = protectedStages(env).includes(stage);
  const common = {
    trustedDocumentsOnly: trustedDocumentsOnly(env),
    isMonitored: monitoredStages(env).includes(stage),
    alarmEmails: alarmEmails(env),
  };
  return isProtected
    ? {
        ...common,
        stage,
        isProtected,
        removalPolicy: RemovalPolicy.RETAIN,
        deletionProtection: true,
        pointInTimeRecovery: true,
        logRetention: RetentionDays.THREE_MONTHS,
        logRetentionName: "three_months",
      }
    : {
        ...common,
        stage,
        isProtected,
        removalPolicy: RemovalPolicy.DESTROY,
        deletionProtection: false,
        pointInTimeRecovery: false,
        logRetention: RetentionDays.ONE_WEEK,
        logRetentionName: "one_week",
      };
}
