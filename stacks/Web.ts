import { StaticSite, use, type StackContext } from "sst/constructs";
import { Duration } from "aws-cdk-lib";
import { HeadersFrameOption, HeadersReferrerPolicy, ResponseHeadersPolicy } from "aws-cdk-lib/aws-cloudfront";
import { NagSuppressions } from "cdk-nag";
import { Api } from "./Api.ts";
import { Auth } from "./Auth.ts";
import { Storage } from "./Storage.ts";

/**
 * The notes web app (packages/web) on S3 + CloudFront. Its build gets the API URL and the Cognito
 * ids as VITE_ variables; SST builds with placeholders and fills in the deployed values on upload.
 */
export function Web({ stack }: StackContext) {
  const { api, websocket } = use(Api);
  const auth = use(Auth);
  const { attachmentsBucket } = use(Storage);
  // Attachments are POSTed to and previewed from the bucket's own host (the presigned URLs' form).
  const filesOrigin = `https://${attachmentsBucket.bucketName}.s3.${stack.region}.${stack.urlSuffix}`;
  // Per stage, so synthesizing several stages (or a deploy next to a local build) never shares a directory.
  const buildOutput = `dist-aws/${stack.stage}`;

  const site = new StaticSite(stack, "Site", {
    path: "packages/web",
    buildCommand: `npx vite build --outDir ${buildOutput} --emptyOutDir`,
    buildOutput,
    errorPage: "redirect_to_index_page",
    environment: {
      VITE_API_URL: `${api.url}/graphql`,
      // Subscription.noteEvents (graphql-transport-ws): wss://{api-id}.execute-api.{region}.amazonaws.com/{stage}.
      VITE_WEBSOCKET_URL: websocket.url,
      VITE_REGION: stack.region,
      VITE_USER_POOL_ID: auth.userPoolId,
      VITE_USER_POOL_CLIENT_ID: auth.userPoolClientId,
    },
    cdk: {
      // Deny plain-HTTP requests to the bucket; CloudFront and SST's uploader already use HTTPS.
      bucket: { enforceSSL: true },
      distribution: {
        defaultBehavior: {
          // The app only loads its own files and talks to the API, Cognito and its attachments bucket; a browser enforces that.
          responseHeadersPolicy: new ResponseHeadersPolicy(stack, "SiteHeaders", {
            securityHeadersBehavior: {
              contentSecurityPolicy: {
                contentSecurityPolicy: [
                  "default-src 'self'",
                  `img-src 'self' data: ${filesOrigin}`,
                  `connect-src 'self' https://*.execute-api.${stack.region}.${stack.urlSuffix} wss://${websocket.cdk.webSocketApi.apiId}.execute-api.${stack.region}.${stack.urlSuffix} https://cognito-idp.${stack.region}.${stack.urlSuffix} ${filesOrigin}`,
                  "object-src 'none'",
                  "base-uri 'none'",
                  "frame-ancestors 'none'",
                  "form-action 'self'",
                ].join("; "),
                override: true,
              },
              contentTypeOptions: { override: true },
              frameOptions: { frameOption: HeadersFrameOption.DENY, override: true },
              referrerPolicy: { referrerPolicy: HeadersReferrerPolicy.NO_REFERRER, override: true },
              strictTransportSecurity: { accessControlMaxAge: Duration.days(365), includeSubdomains: true, override: true },
            },
          }),
        },
      },
    },
  });

  NagSuppressions.addResourceSuppressions(site.cdk!.bucket, [
    {
      id: "AwsSolutions-S1",
      reason: "The bucket holds the public build of the web app, written only by deploys; its reads are CloudFront's.",
    },
  ]);
  NagSuppressions.addResourceSuppressions(site.cdk!.distribution, [
    { id: "AwsSolutions-CFR1", reason: "The notes app is for users in any country." },
    {
      id: "AwsSolutions-CFR2",
      reason: "The distribution serves the same static files to everyone; the API (not behind it) is throttled by API Gateway.",
    },
    {
      id: "AwsSolutions-CFR3",
      reason: "Request logs of public static files would hold nothing the API's own access logs do not; CloudFront metrics cover traffic.",
    },
    {
      id: "AwsSolutions-CFR4",
      reason: "With the default *.cloudfront.net certificate CloudFront fixes the TLS policy; a custom domain with TLSv1.2_2021 is a deploy choice.",
    },
    {
      id: "AwsSolutions-CFR7",
      reason: "SST v2's StaticSite restricts the bucket to CloudFront with an origin access identity (OAI), not yet with OAC.",
    },
  ]);
  // Stack-wide: SST creates the uploader's policy later, when the app finishes; appliesTo names its two wildcards only.
  NagSuppressions.addStackSuppressions(stack, [
    {
      id: "AwsSolutions-IAM5",
      reason: "SST's uploader copies the build from CDK's asset bucket into the site bucket: object wildcards on those two buckets only.",
      appliesTo: [
        { regex: "/^Resource::<SiteS3Bucket[0-9A-F]{8}\\.Arn>\\/\\*$/g" },
        { regex: "/^Resource::arn:<AWS::Partition>:s3:::cdk-[a-z0-9]+-assets-<AWS::AccountId>-[a-z0-9-]+\\/\\*$/g" },
      ],
    },
  ]);

  stack.addOutputs({ WebUrl: site.url });
  return { site };
}
