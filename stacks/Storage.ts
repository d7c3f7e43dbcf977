import { Bucket, Table, type StackContext } from "sst/constructs";
import { Duration } from "aws-cdk-lib";
import { BlockPublicAccess, BucketEncryption } from "aws-cdk-lib/aws-s3";
import { NagSuppressions } from "cdk-nag";
import { stageSettings } from "./stage.ts";

/** Where browsers POST new files; never attached ones expire with this rule (SPEC "Data"). */
export const UPLOADS_PREFIX = "uploads/";
export const ATTACHMENTS_PREFIX = "attachments/";

export function Storage({ stack }: StackContext) {
  const stage = stageSettings(stack.stage);

  const notesTable = new Table(stack, "Notes", {
    fields: { userId: "string", noteId: "string" },
    primaryIndex: { partitionKey: "userId", sortKey: "noteId" },
    cdk: {
      table: {
        // SST's Table sets the deprecated `pointInTimeRecovery: true`; CDK rejects it next to the spec, so unset it.
        pointInTimeRecovery: undefined,
        pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: stage.pointInTimeRecovery },
        removalPolicy: stage.removalPolicy,
        deletionProtection: stage.deletionProtection,
      },
    },
    // Pending-upload records carry an expiry a day past their upload's; DynamoDB drops them.
    timeToLiveAttribute: "expiresAtEpoch",
  });

  const attachmentsBucket = new Bucket(stack, "Attachments", {
    blockPublicACLs: true,
    cors: [
      {
        // The web app's CloudFront origin is made after this stack (it needs the API), so its
        // exact name cannot be listed here; presigned URLs, not CORS, are what authorize a request.
        allowedOrigins: ["https://*.cloudfront.net", ...(stage.isProtected ? [] : ["http://localhost:*", "http://127.0.0.1:*"])],
        allowedMethods: ["POST", "GET", "HEAD"],
        allowedHeaders: ["*"],
        maxAge: "1 hour",
      },
    ],
    cdk: {
      bucket: {
        blockPublicAccess: BlockPublicAccess.BLOCK_ALL,
        encryption: BucketEncryption.S3_MANAGED,
        enforceSSL: true,
        removalPolicy: stage.removalPolicy,
        // Unprotected stages are meant to be removed whole; protected ones keep their files.
        autoDeleteObjects: !stage.isProtected,
        lifecycleRules: [
          { id: "ExpireUnattachedUploads", prefix: UPLOADS_PREFIX, expiration: Duration.days(1) },
          { id: "AbortIncompleteMultipartUploads", abortIncompleteMultipartUploadAfter: Duration.days(1) },
        ],
      },
    },
  });

  NagSuppressions.addResourceSuppressions(attachmentsBucket.cdk.bucket, [
    {
      id: "AwsSolutions-S1",
      reason: "Files are reached only through presigned URLs the API hands out, each logged with its request; CloudTrail data events are the object-level audit if needed.",
    },
  ]);
  if (!stage.pointInTimeRecovery) {
    NagSuppressions.addResourceSuppressions(notesTable.cdk.table, [
      { id: "AwsSolutions-DDB3", reason: "Unprotected (developer) stages hold throwaway data; protected stages keep PITR on." },
    ]);
  }

  return { notesTable, attachmentsBucket };
}
