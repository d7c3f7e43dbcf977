import { formatUrl } from "@aws-sdk/core/util";
import { defaultProvider } from "@aws-sdk/credential-provider-node";
import { Sha256 } from "@smithy/core/checksum";
import { extendedEncodeURIComponent } from "@smithy/core/protocols";
import { SignatureV4 } from "@smithy/signature-v4";
import type { HttpRequest } from "@smithy/types";
import { localS3Credentials, S3_DEFAULT_REGION, s3Settings, type S3Settings } from "./s3-settings.ts";

/**
 * Presigned download links. `getSignedUrl(client, new GetObjectCommand(...))` runs the S3 client's
 * whole middleware stack and endpoint rules for every link, and a page of 20 notes with files signs
 * 20 of them; here each link is one SigV4 presign of the request that stack builds, against the
 * bucket's address as given: in AWS the bucket's regional domain name, which the stacks hand the
 * function (ATTACHMENTS_BUCKET_DOMAIN, from CloudFormation's RegionalDomainName), locally s3rver's
 * endpoint, path-style. The links are the SDK's byte for byte (test/s3-download.test.ts), and a
 * listing never loads the S3 client.
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
  region: string;
  signer: SignatureV4;
}

let cached: { settings: S3Settings; target: BucketTarget } | undefined;

/** A download link that saves as `fileName` (RFC 6266), for `expiresInSeconds`. */
export async function presignGet(input: DownloadInput): Promise<string> {
  const target = bucketTarget(s3Settings());
  const host = target.port === undefined ? target.hostname : `${target.hostname}:${target.port}`;
  // What GetObject's serializer, the host header middleware and the presigner put in the request.
  const request: HttpRequest = {
    method: "GET",
    protocol: target.protocol,
    hostname: target.hostname,
    port: target.port,
    path: `${target.basePath}/${input.key.split("/").map(extendedEncodeURIComponent).join("/")}`,
    query: {
      "x-id": "GetObject",
      "response-content-disposition": contentDisposition(input.fileName),
      "response-content-type": input.contentType,
    },
    headers: { host, "X-Amz-Content-Sha256": "UNSIGNED-PAYLOAD" },
  };
  const signed = await target.signer.presign(request, {
    expiresIn: input.expiresInSeconds,
    signingRegion: target.region,
    signingService: "s3",
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

function bucketTarget(settings: S3Settings): BucketTarget {
  if (cached?.settings !== settings) cached = { settings, target: resolveTarget(settings) };
  return cached.target;
}

function resolveTarget(settings: S3Settings): BucketTarget {
  const region = settings.region ?? S3_DEFAULT_REGION;
  const url = bucketUrl(settings);
  return {
    protocol: url.protocol,
    hostname: url.hostname,
    port: url.port ? Number(url.port) : undefined,
    basePath: url.pathname === "/" ? "" : url.pathname,
    region,
    signer: new SignatureV4({
      service: "s3",
      region,
      credentials: localS3Credentials(settings) ?? defaultProvider(),
      sha256: Sha256,
      uriEscapePath: false,
      applyChecksum: false,
    }),
  };
}

/** The bucket's root: the endpoint with the bucket as a path segment (as s3.ts addresses it), else the bucket's own domain. */
function bucketUrl(settings: S3Settings): URL {
  if (settings.endpoint) {
    const endpoint = new URL(settings.endpoint);
    const path = endpoint.pathname.endsWith("/") ? endpoint.pathname : `${endpoint.pathname}/`;
    return new URL(`${endpoint.protocol}//${endpoint.host}${path}${settings.bucketName}`);
  }
  if (!settings.bucketDomain) throw new Error("ATTACHMENTS_BUCKET_DOMAIN is not set");
  return new URL(`https://${settings.bucketDomain}`);
}
