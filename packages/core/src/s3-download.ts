import { formatUrl } from "@aws-sdk/core/util";
import { defaultProvider } from "@aws-sdk/credential-provider-node";
import { Sha256 } from "@smithy/core/checksum";
import { loadConfig, NODE_USE_DUALSTACK_ENDPOINT_CONFIG_OPTIONS, NODE_USE_FIPS_ENDPOINT_CONFIG_OPTIONS } from "@smithy/core/config";
import { extendedEncodeURIComponent } from "@smithy/core/protocols";
import { SignatureV4 } from "@smithy/signature-v4";
import type { AwsCredentialIdentity, AwsCredentialIdentityProvider, HttpRequest } from "@smithy/types";
import { localS3Credentials, S3_DEFAULT_REGION, s3Settings, type S3Settings } from "./s3-settings.ts";

/**
 * Presigned download links. `getSignedUrl(client, new GetObjectCommand(...))` runs the S3 client's
 * whole middleware stack and endpoint rules for every link, and a page of 20 notes with files signs
 * 20 of them; here the bucket's endpoint is worked out once per settings and each link is one SigV4
 * presign of the request that stack builds. The links are the SDK's byte for byte
 * (test/s3-download.test.ts). A listing does not load the S3 client at all unless the settings fall
 * outside the two cases read directly below, where the client's own endpoint rules answer.
 */
export interface DownloadInput {
  key: string;
  fileName: string;
  contentType: string;
  expiresInSeconds: number;
}

/** Where the bucket's objects are and how GETs of them are signed. */
interface BucketTarget {
  protocol: string;
  hostname: string;
  port?: number;
  /** Path of the bucket's root: "" when the bucket is in the host name, "/<bucket>" (after any endpoint path) when not. */
  basePath: string;
  query: Record<string, string>;
  headers: Record<string, string>;
  signingRegion: string;
  signingName: string;
  signer: SignatureV4;
}

/** The aws partition's own regions (not GovCloud, China, ISO or FIPS pseudo-regions): S3 is https://<bucket>.s3.<region>.amazonaws.com there. */
const AWS_PARTITION_REGION = /^(us|eu|ap|sa|ca|me|af|il|mx)-\w+-\d+$/;
/** A general-purpose bucket name that S3's rules put in the host name: no dots, no "--" (S3 Express, access point and Outposts names have one). */
const PLAIN_BUCKET = /^(?!.*--)[a-z0-9][a-z0-9-]{1,61}[a-z0-9]$/;

let cached: { settings: S3Settings; target: Promise<BucketTarget> } | undefined;

/** A download link that saves as `fileName` (RFC 6266), for `expiresInSeconds`. */
export async function presignGet(input: DownloadInput): Promise<string> {
  const target = await bucketTarget(s3Settings());
  const host = target.port === undefined ? target.hostname : `${target.hostname}:${target.port}`;
  // What GetObject's serializer, the host header middleware and the presigner put in the request.
  const request: HttpRequest = {
    method: "GET",
    protocol: target.protocol,
    hostname: target.hostname,
    port: target.port,
    path: `${target.basePath}/${input.key.split("/").map(extendedEncodeURIComponent).join("/")}`,
    query: {
      ...target.query,
      "x-id": "GetObject",
      "response-content-disposition": contentDisposition(input.fileName),
      "response-content-type": input.contentType,
    },
    headers: { ...target.headers, host, "X-Amz-Content-Sha256": "UNSIGNED-PAYLOAD" },
  };
  const signed = await target.signer.presign(request, {
    expiresIn: input.expiresInSeconds,
    signingRegion: target.signingRegion,
    signingService: target.signingName,
  });
  return formatUrl(signed);
}

/**
 * `attachment` with an ASCII `filename` for old clients and the exact name as RFC 5987
 * `filename*`, which every current browser prefers.
 */
export function contentDisposition(fileName: string): string {
  const fallback = fileName.replace(/[^\x20-\x7e]|["\\%]/g, "_");
  const encoded = encodeURIComponent(fileName).replace(/['()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
  return `attachment; filename="${fallback}"; filename*=UTF-8''${encoded}`;
}

function bucketTarget(settings: S3Settings): Promise<BucketTarget> {
  if (cached?.settings !== settings) {
    const target = resolveTarget(settings);
    cached = { settings, target };
    // A failure (the S3 chunk not loading, say) is not remembered: the next link tries again.
    target.catch(() => {
      if (cached?.target === target) cached = undefined;
    });
  }
  return cached.target;
}

async function resolveTarget(settings: S3Settings): Promise<BucketTarget> {
  const region = settings.region ?? S3_DEFAULT_REGION;
  const { url, headers, signingRegion, signingName } = (await plainEndpoint(settings, region)) ?? (await sdkEndpoint(settings));
  return {
    protocol: url.protocol,
    hostname: url.hostname,
    port: url.port ? Number(url.port) : undefined,
    basePath: url.pathname === "/" ? "" : url.pathname,
    query: Object.fromEntries(url.searchParams),
    headers,
    signingRegion,
    signingName,
    signer: new SignatureV4({
      service: signingName,
      region: signingRegion,
      credentials: credentialsFor(settings),
      sha256: Sha256,
      uriEscapePath: false,
      applyChecksum: false,
    }),
  };
}

interface BucketEndpoint {
  url: URL;
  headers: Record<string, string>;
  signingRegion: string;
  signingName: string;
}

/**
 * What S3's endpoint rules answer for the two ways this API runs, or null when the settings or the
 * environment could change that answer (FIPS, dual-stack, configured endpoint URLs, other partitions,
 * other bucket names): then the client's own rules decide.
 */
async function plainEndpoint(settings: S3Settings, region: string): Promise<BucketEndpoint | null> {
  const bucket = settings.bucketName;
  if (!PLAIN_BUCKET.test(bucket) || !AWS_PARTITION_REGION.test(region)) return null;
  const [fips, dualStack] = await Promise.all([
    loadConfig(NODE_USE_FIPS_ENDPOINT_CONFIG_OPTIONS)(),
    loadConfig(NODE_USE_DUALSTACK_ENDPOINT_CONFIG_OPTIONS)(),
  ]);
  if (fips || dualStack) return null;
  const signing = { headers: {}, signingRegion: region, signingName: "s3" };
  if (settings.endpoint) {
    // s3.ts gives a custom endpoint path-style addressing: the bucket is a path segment after the endpoint's path.
    const custom = URL.canParse(settings.endpoint) ? new URL(settings.endpoint) : null;
    if (!custom || !/^https?:$/.test(custom.protocol) || custom.search || custom.hash || custom.username || custom.password) return null;
    const path = custom.pathname.endsWith("/") ? custom.pathname : `${custom.pathname}/`;
    return { url: new URL(`${custom.protocol}//${custom.host}${path}${bucket}`), ...signing };
  }
  if (await endpointUrlConfigured()) return null;
  return { url: new URL(`https://${bucket}.s3.${region}.amazonaws.com`), ...signing };
}

/** AWS_ENDPOINT_URL(_S3) or an endpoint_url / services section in the shared config, which the SDK would honour. */
async function endpointUrlConfigured(): Promise<boolean> {
  return loadConfig<boolean>({
    environmentVariableSelector: (env) => (env.AWS_ENDPOINT_URL_S3 || env.AWS_ENDPOINT_URL ? true : undefined),
    configFileSelector: (profile) => (profile.endpoint_url || profile.services ? true : undefined),
    default: false,
  })();
}

async function sdkEndpoint(settings: S3Settings): Promise<BucketEndpoint> {
  const { s3 } = await import("./s3.ts");
  const { url, headers, properties } = await s3.objectEndpoint();
  const authScheme = properties?.authSchemes?.[0] as { name?: string; signingName?: string; signingRegion?: string } | undefined;
  // Buckets that need SigV4a or S3 Express sessions (multi-region access points, directory buckets) are not ours.
  if (authScheme?.name !== "sigv4" || !authScheme.signingRegion) {
    throw new Error(`S3 asks for ${authScheme?.name ?? "no"} signing for bucket ${settings.bucketName}; download links are SigV4 only`);
  }
  return {
    url,
    headers: Object.fromEntries(Object.entries(headers ?? {}).map(([name, values]) => [name, values.join(", ")])),
    signingRegion: authScheme.signingRegion,
    signingName: authScheme.signingName ?? "s3",
  };
}

/** The credentials the S3 client (s3.ts) signs with: s3rver's fixed pair, else the SDK's default chain. */
function credentialsFor(settings: S3Settings): AwsCredentialIdentity | AwsCredentialIdentityProvider {
  return localS3Credentials(settings) ?? defaultProvider();
}
