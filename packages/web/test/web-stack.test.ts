import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { rm } from "node:fs/promises";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { Aws } from "aws-cdk-lib";
import { Template } from "aws-cdk-lib/assertions";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CONSOLE_MARKER } from "@notes/functions/local/console/marker";

// Synthesizes Storage, Auth, Api and Web for a stage of its own, so it never shares output with stacks/stacks.test.ts.

const ROOT = fileURLToPath(new URL("../../../", import.meta.url));
const STAGE = "webtest";
const OUTDIR = path.join(ROOT, ".sst", "test-dist", STAGE);
const SITE_OUTPUT = path.join(ROOT, "packages", "web", "dist-aws", STAGE);

type Json = any; // CloudFormation JSON is walked structurally below.

let web: Template;
let api: Template;
let auth: Template;
let storage: Template;
let stackNames: { web: string; api: string; auth: string; storage: string };

beforeAll(async () => {
  process.env.AWS_SDK_JS_SUPPRESS_MAINTENANCE_MODE_MESSAGE ??= "1";
  // SST skips its AWS lookups (bootstrap bucket, sourcemap upload) only when it believes it is under test.
  process.env.NODE_ENV = "test";
  const cwd = process.cwd();
  process.chdir(ROOT);
  try {
    const { initProject, useProject } = await import("sst/project.js");
    const { App } = await import("sst/constructs/App.js");
    const { Stack } = await import("sst/constructs/Stack.js");
    const { Storage } = await import("../../../stacks/Storage.ts");
    const { Auth } = await import("../../../stacks/Auth.ts");
    const { Api } = await import("../../../stacks/Api.ts");
    const { Web } = await import("../../../stacks/Web.ts");
    await initProject({ stage: STAGE, root: ROOT });
    const { config } = useProject();
    await rm(OUTDIR, { recursive: true, force: true });
    const app = new App(
      { mode: "deploy", stage: STAGE, name: config.name, region: config.region, account: Aws.ACCOUNT_ID },
      { outdir: OUTDIR, context: { "aws:cdk:enable-path-metadata": false } },
    );
    app.stack(Storage).stack(Auth).stack(Api).stack(Web);
    await app.finish();
    app.synth();
    const stacks = app.node.children.filter((child): child is InstanceType<typeof Stack> => child instanceof Stack);
    const find = (id: string) => stacks.find((s) => s.node.id === app.logicalPrefixedName(id))!;
    web = Template.fromStack(find("Web"));
    api = Template.fromStack(find("Api"));
    auth = Template.fromStack(find("Auth"));
    storage = Template.fromStack(find("Storage"));
    stackNames = {
      web: find("Web").stackName,
      api: find("Api").stackName,
      auth: find("Auth").stackName,
      storage: find("Storage").stackName,
    };
  } finally {
    process.chdir(cwd);
  }
}, 180_000);

afterAll(async () => {
  await rm(OUTDIR, { recursive: true, force: true });
  await rm(SITE_OUTPUT, { recursive: true, force: true });
});

function resourcesOf(template: Template, type: string): [string, Json][] {
  return Object.entries(template.findResources(type));
}

function only<T>(entries: T[]): T {
  expect(entries).toHaveLength(1);
  return entries[0]!;
}

/** The resource an exported output of another stack points at: [template, logical id, attribute?]. */
function exportedFrom(value: Json): { stack: string; target: Json } {
  const name = value?.["Fn::ImportValue"];
  expect(typeof name, JSON.stringify(value)).toBe("string");
  for (const [stack, template] of [[stackNames.api, api], [stackNames.auth, auth], [stackNames.storage, storage]] as const) {
    for (const output of Object.values<Json>(template.toJSON().Outputs ?? {})) {
      if (output.Export?.Name === name) return { stack, target: output.Value };
    }
  }
  throw new Error(`no stack exports ${name}`);
}

/** True for the name of the Storage stack's attachments bucket, imported from that stack. */
function isAttachmentsBucketName(part: Json): boolean {
  if (!part?.["Fn::ImportValue"]) return false;
  const { stack, target } = exportedFrom(part);
  const buckets = resourcesOf(storage, "AWS::S3::Bucket").filter(([id]) => id.includes("Attachments"));
  return stack === stackNames.storage && buckets.length === 1 && target?.Ref === buckets[0]![0];
}

describe("stacks/Web.ts", () => {
  it("fills the app's VITE_ placeholders with the deployed API URL and Cognito ids at upload", () => {
    const [, uploader] = only(resourcesOf(web, "Custom::S3Uploader"));
    const replacements = (uploader.Properties.replaceValues as Json[]).filter((r) => r.files === "**/*.js");
    const bySearch = Object.fromEntries(replacements.map((r) => [r.search, r.replace]));
    expect(Object.keys(bySearch).sort()).toEqual([
      "{{ VITE_API_URL }}",
      "{{ VITE_USER_POOL_CLIENT_ID }}",
      "{{ VITE_USER_POOL_ID }}",
      "{{ VITE_WEBSOCKET_URL }}",
    ]);
    // wss://{the WebSocket API's id}.execute-api.{region}.{suffix}/{stage}
    const [scheme, websocketApiId] = bySearch["{{ VITE_WEBSOCKET_URL }}"]["Fn::Join"][1];
    expect(scheme).toBe("wss://");
    const websocketApi = exportedFrom(websocketApiId);
    expect(api.toJSON().Resources[websocketApi.target.Ref].Properties.ProtocolType).toBe("WEBSOCKET");

    const [apiUrlImport, suffix] = bySearch["{{ VITE_API_URL }}"]["Fn::Join"][1];
    expect(suffix).toBe("/graphql");
    const apiUrl = exportedFrom(apiUrlImport);
    expect(apiUrl.stack).toBe(stackNames.api);
    const [apiId, attribute] = apiUrl.target["Fn::GetAtt"];
    expect(attribute).toBe("ApiEndpoint");
    expect(api.toJSON().Resources[apiId].Type).toBe("AWS::ApiGatewayV2::Api");

    const pool = exportedFrom(bySearch["{{ VITE_USER_POOL_ID }}"]);
    expect(auth.toJSON().Resources[pool.target.Ref].Type).toBe("AWS::Cognito::UserPool");
    const client = exportedFrom(bySearch["{{ VITE_USER_POOL_CLIENT_ID }}"]);
    expect(auth.toJSON().Resources[client.target.Ref].Type).toBe("AWS::Cognito::UserPoolClient");
  });

  it("builds the app with those placeholders in its bundle and the region filled in", () => {
    expect(existsSync(path.join(SITE_OUTPUT, "index.html"))).toBe(true);
    const bundle = readdirSync(path.join(SITE_OUTPUT, "assets"))
      .filter((file) => file.endsWith(".js"))
      .map((file) => readFileSync(path.join(SITE_OUTPUT, "assets", file), "utf8"))
      .join("\n");
    for (const placeholder of ["{{ VITE_API_URL }}", "{{ VITE_USER_POOL_ID }}", "{{ VITE_USER_POOL_CLIENT_ID }}", "{{ VITE_WEBSOCKET_URL }}"]) {
      expect(bundle).toContain(`"${placeholder}"`);
    }
    expect(bundle).toMatch(/VITE_REGION:"[a-z]{2}-[a-z]+-\d"/);
    // React's production build, although the synthesis ran under NODE_ENV=test.
    expect(bundle).not.toContain("react-dom.development");
    expect(bundle).not.toContain("checkPropTypes");
  });

  it("deploys no local console: no page, no code of it in any file of the site", () => {
    const files = readdirSync(SITE_OUTPUT, { recursive: true, encoding: "utf8" });
    expect(files.filter((file) => /console/i.test(file))).toEqual([]);
    for (const file of files.map((name) => path.join(SITE_OUTPUT, name)).filter((name) => statSync(name).isFile())) {
      expect(readFileSync(file, "utf8"), file).not.toContain(CONSOLE_MARKER);
    }
    // The marker is really in the console's own build, so its absence above means something.
    expect(readFileSync(path.join(ROOT, "packages", "web", "console", "index.html"), "utf8")).toContain(CONSOLE_MARKER);
  });

  it("serves it over HTTPS from a private bucket, client-side routes falling back to index.html", () => {
    const [, distribution] = only(resourcesOf(web, "AWS::CloudFront::Distribution"));
    const config = distribution.Properties.DistributionConfig;
    expect(config.DefaultRootObject).toBe("index.html");
    expect(config.DefaultCacheBehavior.ViewerProtocolPolicy).toBe("redirect-to-https");
    expect(config.CustomErrorResponses).toEqual([
      { ErrorCode: 403, ResponseCode: 200, ResponsePagePath: "/index.html" },
      { ErrorCode: 404, ResponseCode: 200, ResponsePagePath: "/index.html" },
    ]);
    const [, bucket] = only(resourcesOf(web, "AWS::S3::Bucket"));
    expect(bucket.Properties.PublicAccessBlockConfiguration).toEqual({
      BlockPublicAcls: true,
      BlockPublicPolicy: true,
      IgnorePublicAcls: true,
      RestrictPublicBuckets: true,
    });
    expect(web.toJSON().Outputs.WebUrl.Value["Fn::Join"][1][0]).toBe("https://");
  });

  it("sends security headers whose CSP lets the app reach only itself, the API, Cognito and the attachments bucket", () => {
    const [policyId, policy] = only(resourcesOf(web, "AWS::CloudFront::ResponseHeadersPolicy"));
    const [, distribution] = only(resourcesOf(web, "AWS::CloudFront::Distribution"));
    expect(distribution.Properties.DistributionConfig.DefaultCacheBehavior.ResponseHeadersPolicyId).toEqual({ Ref: policyId });
    const headers = policy.Properties.ResponseHeadersPolicyConfig.SecurityHeadersConfig;
    const csp = (headers.ContentSecurityPolicy.ContentSecurityPolicy["Fn::Join"][1] as Json[])
      .map((part) => (typeof part === "string" ? part : isAttachmentsBucketName(part) ? "<bucket>" : "<suffix>"))
      .join("");
    expect(csp.split("; ")).toEqual([
      "default-src 'self'",
      expect.stringMatching(/^img-src 'self' data: https:\/\/<bucket>\.s3\.[a-z0-9-]+\.<suffix>$/),
      expect.stringMatching(
        /^connect-src 'self' https:\/\/\*\.execute-api\.[a-z0-9-]+\.<suffix> wss:\/\/<suffix>\.execute-api\.[a-z0-9-]+\.<suffix> https:\/\/cognito-idp\.[a-z0-9-]+\.<suffix> https:\/\/<bucket>\.s3\.[a-z0-9-]+\.<suffix>$/,
      ),
      "object-src 'none'",
      "base-uri 'none'",
      "frame-ancestors 'none'",
      "form-action 'self'",
    ]);
    expect(headers.FrameOptions.FrameOption).toBe("DENY");
    expect(headers.StrictTransportSecurity.AccessControlMaxAgeSec).toBeGreaterThanOrEqual(31_536_000);
  });
});
