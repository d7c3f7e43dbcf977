import { Duration, Stack } from "aws-cdk-lib";
import type { IHttpApi } from "aws-cdk-lib/aws-apigatewayv2";
import {
  Alarm,
  AlarmStatusWidget,
  ComparisonOperator,
  Dashboard,
  GraphWidget,
  MathExpression,
  Metric,
  TreatMissingData,
  type IMetric,
} from "aws-cdk-lib/aws-cloudwatch";
import { SnsAction } from "aws-cdk-lib/aws-cloudwatch-actions";
import { Operation, type ITable } from "aws-cdk-lib/aws-dynamodb";
import { PolicyStatement, ServicePrincipal } from "aws-cdk-lib/aws-iam";
import type { IFunction } from "aws-cdk-lib/aws-lambda";
import { Topic } from "aws-cdk-lib/aws-sns";
import { EmailSubscription } from "aws-cdk-lib/aws-sns-subscriptions";
import { NagSuppressions } from "cdk-nag";
import { Construct } from "constructs";
import type { StageSettings } from "./stage.ts";

/** The service dimension of the function's EMF metrics (POWERTOOLS_SERVICE_NAME). */
export const METRICS_SERVICE = "notes-api";

/** One namespace per stage, so two stages in one account never mix their figures. */
export function metricsNamespace(stage: StageSettings): string {
  return `NotesApi/${stage.stage}`;
}

export interface MonitoringProps {
  stage: StageSettings;
  graphql: IFunction;
  httpApi: IHttpApi;
  notesTable: ITable;
}

const PERIOD = Duration.minutes(5);
const NOTES_OPERATIONS = [Operation.GET_ITEM, Operation.PUT_ITEM, Operation.UPDATE_ITEM, Operation.DELETE_ITEM, Operation.QUERY];

/**
 * Alarms to an SNS topic (email subscribers from ALARM_EMAILS) and one dashboard with the same
 * figures. Thresholds and what to check first for each alarm: docs/operations.md.
 */
export class Monitoring extends Construct {
  readonly topic: Topic;
  readonly alarms: Alarm[] = [];
  readonly dashboard: Dashboard;

  constructor(scope: Construct, id: string, props: MonitoringProps) {
    super(scope, id);
    const { stage, graphql, httpApi, notesTable } = props;
    const namespace = metricsNamespace(stage);
    const emf = (metricName: string, statistic: string, label: string) =>
      new Metric({ namespace, metricName, dimensionsMap: { service: METRICS_SERVICE }, statistic, period: PERIOD, label });

    this.topic = new Topic(this, "Alarms", { displayName: `notes ${stage.stage} alarms`, enforceSSL: true });
    NagSuppressions.addResourceSuppressions(this.topic, [
      {
        id: "AwsSolutions-SNS2",
        reason: "Alarm notices carry no user data; CloudWatch cannot publish to the AWS-managed SNS key, and a CMK for them is not worth its cost.",
      },
    ]);
    // enforceSSL replaces the topic's default policy, which let the account's services publish: CloudWatch needs its own grant.
    const { account, region, partition } = Stack.of(this);
    this.topic.addToResourcePolicy(
      new PolicyStatement({
        principals: [new ServicePrincipal("cloudwatch.amazonaws.com")],
        actions: ["sns:Publish"],
        resources: [this.topic.topicArn],
        conditions: {
          ArnLike: { "aws:SourceArn": `arn:${partition}:cloudwatch:${region}:${account}:alarm:*` },
          StringEquals: { "aws:SourceAccount": account },
        },
      }),
    );
    for (const email of stage.alarmEmails) this.topic.addSubscription(new EmailSubscription(email));

    const requests = emf("Requests", "Sum", "requests");
    const faults = emf("Faults", "Sum", "faults");
    const faultRate = new MathExpression({
      // Below 20 requests in 5 minutes one fault is not a rate worth waking anyone for.
      expression: "IF(requests >= 20, 100 * faults / requests, 0)",
      usingMetrics: { requests, faults },
      period: PERIOD,
      label: "fault rate (%)",
    });
    const apiRequests = httpApi.metricCount({ period: PERIOD, statistic: "Sum" });
    const api4xx = httpApi.metricClientError({ period: PERIOD, statistic: "Sum", label: "4xx" });
    const api5xx = httpApi.metricServerError({ period: PERIOD, statistic: "Sum", label: "5xx" });
    const api4xxRate = new MathExpression({
      expression: "IF(count >= 50, 100 * clientErrors / count, 0)",
      usingMetrics: { count: apiRequests, clientErrors: api4xx },
      period: PERIOD,
      label: "4xx rate (%)",
    });
    const apiLatencyP99 = httpApi.metricLatency({ period: PERIOD, statistic: "p99", label: "API Gateway p99" });
    const dynamoThrottles = notesTable.metricThrottledRequestsForOperations({
      operations: NOTES_OPERATIONS,
      period: PERIOD,
      label: "DynamoDB throttled requests",
    });
    const dynamoSystemErrors = notesTable.metricSystemErrorsForOperations({
      operations: NOTES_OPERATIONS,
      period: PERIOD,
      label: "DynamoDB system errors",
    });

    const alarm = (id: string, metric: IMetric, threshold: number, evaluationPeriods: number, description: string) => {
      const created = new Alarm(this, id, {
        metric,
        threshold,
        evaluationPeriods,
        datapointsToAlarm: evaluationPeriods,
        comparisonOperator: ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
        // No traffic is not an incident; the figures below are only emitted when something happens.
        treatMissingData: TreatMissingData.NOT_BREACHING,
        alarmDescription: `${description} (docs/operations.md#${id.toLowerCase()})`,
      });
      created.addAlarmAction(new SnsAction(this.topic));
      created.addOkAction(new SnsAction(this.topic));
      this.alarms.push(created);
      return created;
    };

    alarm("FaultRate", faultRate, 5, 2, "5 % or more of GraphQL requests failed unexpectedly (5xx or INTERNAL_SERVER_ERROR) for 10 minutes");
    alarm("LatencyP99", apiLatencyP99, 2_000, 3, "API Gateway p99 latency at 2 s or more for 15 minutes");
    alarm("LambdaErrors", graphql.metricErrors({ period: PERIOD, statistic: "Sum" }), 3, 1, "The function failed 3 or more invocations (crash, timeout, out of memory) in 5 minutes");
    alarm("LambdaThrottles", graphql.metricThrottles({ period: PERIOD, statistic: "Sum" }), 1, 2, "The function was throttled in two 5-minute periods in a row");
    alarm("DynamoThrottles", dynamoThrottles, 1, 2, "DynamoDB throttled notes-table requests in two 5-minute periods in a row");
    alarm("DynamoSystemErrors", dynamoSystemErrors, 5, 1, "DynamoDB answered 5 or more notes-table requests with a 500 in 5 minutes");
    alarm("Api5xx", api5xx, 5, 1, "API Gateway returned 5 or more 5xx responses in 5 minutes");
    alarm("Api4xxSpike", api4xxRate, 25, 2, "25 % or more of API requests got a 4xx for 10 minutes (at least 50 requests each)");

    const search = (schema: string, metricName: string, statistic: string, label: string) =>
      new MathExpression({
        expression: `SEARCH('{"${namespace}",${schema}} MetricName="${metricName}"', '${statistic}', ${PERIOD.toSeconds()})`,
        usingMetrics: {},
        period: PERIOD,
        label,
      });
    const graph = (title: string, left: IMetric[], right: IMetric[] = []) =>
      new GraphWidget({ title, left, right, width: 8, height: 6 });

    this.dashboard = new Dashboard(this, "Dashboard", {
      dashboardName: `notes-api-${stage.stage}`,
      defaultInterval: Duration.hours(3),
    });
    this.dashboard.addWidgets(
      new AlarmStatusWidget({ title: "Alarms", alarms: this.alarms, width: 24, height: 3 }),
    );
    this.dashboard.addWidgets(
      graph("Requests and fault rate", [requests, faults], [faultRate]),
      graph("Latency (ms)", [emf("Latency", "p50", "handler p50"), emf("Latency", "p99", "handler p99"), apiLatencyP99]),
      graph("Errors by extensions.code", [search("service,code", "Errors", "Sum", "")]),
    );
    this.dashboard.addWidgets(
      graph("Requests by operation", [search("service,operation", "Requests", "Sum", "")]),
      graph("p99 latency by operation (ms)", [search("service,operation", "Latency", "p99", "")]),
      graph("Lambda", [
        graphql.metricInvocations({ period: PERIOD, statistic: "Sum" }),
        graphql.metricErrors({ period: PERIOD, statistic: "Sum" }),
        graphql.metricThrottles({ period: PERIOD, statistic: "Sum" }),
        emf("ColdStart", "Sum", "cold starts").with({ dimensionsMap: { service: METRICS_SERVICE, function_name: graphql.functionName } }),
      ], [graphql.metricDuration({ period: PERIOD, statistic: "p99" })]),
    );
    this.dashboard.addWidgets(
      graph("DynamoDB and S3 call p99 latency by operation (ms, retries included)", [
        search("service,awsService,awsOperation", "AwsCallLatency", "p99", ""),
      ]),
      graph("DynamoDB and S3 retries and failed calls (SDK)", [
        search("service,awsService", "AwsCallRetries", "Sum", ""),
        search("service,awsService", "AwsCallFailures", "Sum", ""),
      ]),
      // Each of the two sums names its per-operation metrics alike, so they cannot share a graph.
      graph("DynamoDB throttled requests", [dynamoThrottles]),
    );
    this.dashboard.addWidgets(
      graph("DynamoDB system errors", [dynamoSystemErrors]),
      graph("API Gateway", [apiRequests, api4xx, api5xx], [api4xxRate]),
    );
  }
}
