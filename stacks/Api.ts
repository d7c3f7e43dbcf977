import { Api as HttpApi, Function as SstFunction, use, type StackContext } from "sst/constructs";
import { PolicyStatement } from "aws-cdk-lib/aws-iam";
import { LogGroup } from "aws-cdk-lib/aws-logs";
import { Auth } from "./Auth.ts";
import { LAMBDA_NODE_OPTIONS } from "./lambda-bundle.ts";
import { ATTACHMENTS_PREFIX, Storage, UPLOADS_PREFIX } from "./Storage.ts";
import { stageSettings } from "./stage.ts";

const GRAPHQL_HANDLER = "packages/functions/src/lambda.handler";

export function Api({ stack }: StackContext) {
  const stage = stageSettings(stack.stage);
  const { notesTable, attachmentsBucket } = use(Storage);
  const auth = use(Auth);

  const graphqlLogs = new LogGroup(stack, "GraphqlLogs", {
    retention: stage.logRetention,
    removalPolicy: stage.removalPolicy,
  });

  const graphql = new SstFunction(stack, "Graphql", {
    handler: GRAPHQL_HANDLER,
    // CPU scales with memory and GraphQL schema building is CPU-bound on cold start; HTTP API cuts integrations at 30 s anyway.
    memorySize: 1024,
    timeout: 10,
    logGroup: graphqlLogs,
    environment: {
      NOTES_TABLE: notesTable.tableName,
      ATTACHMENTS_BUCKET: attachmentsBucket.bucketName,
      AUTH_ISSUER: auth.issuer,
      AUTH_AUDIENCE: auth.userPoolClientId,
      STAGE: stage.stage,
      PROTECTED_STAGE: String(stage.isProtected),
      TRUSTED_DOCUMENTS_ONLY: String(stage.trustedDocumentsOnly),
      NODE_OPTIONS: LAMBDA_NODE_OPTIONS,
    },
    // Explicit statements instead of `bind: [notesTable]`, which would grant dynamodb:* on the table.
    permissions: [
      new PolicyStatement({
        actions: [
          "dynamodb:GetItem",
          "dynamodb:PutItem",
          "dynamodb:UpdateItem",
          "dynamodb:DeleteItem",
          "dynamodb:Query",
        ],
        resources: [notesTable.tableArn],
      }),
      // Presigned POSTs (PutObject on uploads/), HEAD and copy source (GetObject), copy target
      // (PutObject on attachments/), presigned downloads (GetObject) and deletes: nothing else.
      new PolicyStatement({
        actions: ["s3:GetObject", "s3:PutObject", "s3:DeleteObject"],
        resources: [
          `${attachmentsBucket.bucketArn}/${UPLOADS_PREFIX}*`,
          `${attachmentsBucket.bucketArn}/${ATTACHMENTS_PREFIX}*`,
        ],
      }),
    ],
  });

  const api = new HttpApi(stack, "Http", {
    // Bearer tokens, not cookies: any origin may call, and no credentials mode is needed.
    cors: {
      allowOrigins: ["*"],
      allowHeaders: ["authorization", "content-type"],
      allowMethods: ["POST", "GET", "OPTIONS"],
      maxAge: "1 day",
    },
    accessLog: { retention: stage.logRetentionName },
    defaults: { throttle: { burst: 200, rate: 100 } },
    routes: {
      "POST /graphql": graphql,
      "GET /graphql": graphql,
    },
  });
  api.cdk.accessLogGroup?.applyRemovalPolicy(stage.removalPolicy);

  stack.addOutputs({
    ApiUrl: `${api.url}/graphql`,
    UserPoolId: auth.userPoolId,
    UserPoolClientId: auth.userPoolClientId,
    Region: stack.region,
  });

  return { api, graphql };
}
