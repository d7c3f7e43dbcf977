import { Api as HttpApi, Function as SstFunction, WebSocketApi, use, type StackContext } from "sst/constructs";
import { PolicyStatement } from "aws-cdk-lib/aws-iam";
import { LogGroup } from "aws-cdk-lib/aws-logs";
import { NagSuppressions } from "cdk-nag";
import { Auth } from "./Auth.ts";
import { GRAPHQL_ROUTES, HTTP_API_CORS } from "./http-api.ts";
import { LAMBDA_MEMORY_MB, LAMBDA_NODE_OPTIONS, LAMBDA_TIMEOUT_SECONDS } from "./lambda-bundle.ts";
import { Monitoring, METRICS_SERVICE, metricsNamespace } from "./monitoring.ts";
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
    memorySize: LAMBDA_MEMORY_MB,
    timeout: LAMBDA_TIMEOUT_SECONDS,
    logGroup: graphqlLogs,
    environment: {
      NOTES_TABLE: notesTable.tableName,
      ATTACHMENTS_BUCKET: attachmentsBucket.bucketName,
      // Where download links point (CloudFormation's RegionalDomainName): the function need not know S3's endpoint rules.
      ATTACHMENTS_BUCKET_DOMAIN: attachmentsBucket.cdk.bucket.bucketRegionalDomainName,
      AUTH_ISSUER: auth.issuer,
      AUTH_AUDIENCE: auth.userPoolClientId,
      STAGE: stage.stage,
      PROTECTED_STAGE: String(stage.isProtected),
      TRUSTED_DOCUMENTS_ONLY: String(stage.trustedDocumentsOnly),
      ...(LAMBDA_NODE_OPTIONS ? { NODE_OPTIONS: LAMBDA_NODE_OPTIONS } : {}),
      POWERTOOLS_SERVICE_NAME: METRICS_SERVICE,
      POWERTOOLS_METRICS_NAMESPACE: metricsNamespace(stage),
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
          // Search: a note's index items are written, and a page's candidates read, in batches;
          // real-time: a closed connection's records are deleted in one batch.
          "dynamodb:BatchGetItem",
          "dynamodb:BatchWriteItem",
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
    cors: HTTP_API_CORS,
    accessLog: { retention: stage.logRetentionName },
    defaults: { throttle: { burst: 200, rate: 100 } },
    routes: Object.fromEntries(GRAPHQL_ROUTES.map((route) => [route, graphql])),
  });
  api.cdk.accessLogGroup?.applyRemovalPolicy(stage.removalPolicy);

  // Subscription.noteEvents: the same function answers the WebSocket API's three routes (docs/realtime.md).
  const websocket = new WebSocketApi(stack, "Realtime", {
    accessLog: { retention: stage.logRetentionName },
    routes: { $connect: graphql, $default: graphql, $disconnect: graphql },
    // A stage per SST stage (SST names it after the stage), throttled like the HTTP API.
    cdk: { webSocketStage: { throttle: { burstLimit: 200, rateLimit: 100 } } },
  });
  websocket.cdk.accessLogGroup?.applyRemovalPolicy(stage.removalPolicy);
  // The @connections endpoint of this stage: https://{api-id}.execute-api.{region}.amazonaws.com/{stage}.
  graphql.addEnvironment("WEBSOCKET_MANAGEMENT_ENDPOINT", websocket.cdk.webSocketStage.callbackUrl);

  NagSuppressions.addResourceSuppressions(
    graphql,
    [
      {
        id: "AwsSolutions-IAM4",
        reason: "The AWS-managed basic execution policy only lets the function write its own logs.",
        appliesTo: ["Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole"],
      },
      {
        id: "AwsSolutions-IAM5",
        reason: "X-Ray's PutTraceSegments and PutTelemetryRecords have no resource-level permissions.",
        appliesTo: ["Resource::*"],
      },
      {
        id: "AwsSolutions-IAM5",
        reason: "The function names every object key itself, per user and note, under the bucket's two prefixes (uploads/, attachments/) only.",
        appliesTo: [{ regex: "/^Resource::<AttachmentsBucket[0-9A-F]{8}\\.Arn>\\/(uploads|attachments)\\/\\*$/g" }],
      },
      {
        id: "AwsSolutions-L1",
        reason: "nodejs22.x is the runtime the function is built, tested and benchmarked for; a newer one is its own change.",
      },
    ],
    true,
  );
  NagSuppressions.addResourceSuppressions(
    api,
    [
      {
        id: "AwsSolutions-APIG4",
        reason: "The function verifies Cognito JWTs itself (signature, issuer, audience, expiry); `me` must answer without a token.",
      },
    ],
    true,
  );

  NagSuppressions.addResourceSuppressions(
    websocket,
    [
      {
        id: "AwsSolutions-APIG4",
        reason: "The graphql-transport-ws connection_init message carries the Cognito token; the function verifies it (as for HTTP) before any subscription, and deletes the connection otherwise.",
      },
    ],
    true,
  );

  NagSuppressions.addResourceSuppressions(graphql, [
      {
        id: "AwsSolutions-IAM5",
        reason: "SST's WebSocketApi lets the function call @connections on this WebSocket API only; connection ids are only known at run time.",
        appliesTo: [{ regex: "/^Resource::arn:<AWS::Partition>:execute-api:[a-z0-9-]+:<AWS::AccountId>:<RealtimeApi[0-9A-F]{8}>\\/\\*\\/\\*\\/@connections\\/\\*$/g" }],
      },
  ], true);

  if (stage.isMonitored) {
    new Monitoring(stack, "Monitoring", {
      stage,
      graphql,
      httpApi: api.cdk.httpApi,
      notesTable: notesTable.cdk.table,
    });
  }

  stack.addOutputs({
    ApiUrl: `${api.url}/graphql`,
    WebSocketUrl: websocket.url,
    UserPoolId: auth.userPoolId,
    UserPoolClientId: auth.userPoolClientId,
    Region: stack.region,
  });

  return { api, graphql, websocket };
}
