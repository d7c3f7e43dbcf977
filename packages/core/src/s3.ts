import {
  CopyObjectCommand,
  DeleteObjectCommand,
  HeadObjectCommand,
  S3Client,
  type S3ClientConfig,
} from "@aws-sdk/client-s3";
import { createPresignedPost } from "@aws-sdk/s3-presigned-post";
import { NodeHttpHandler } from "@smithy/node-http-handler";
import { AWS_CALL_TIMING_OPTIONS, awsCallTiming } from "./aws-calls.ts";
import { localS3Credentials, S3_DEFAULT_REGION, s3Settings, type S3Settings } from "./s3-settings.ts";

/**
 * The one place that talks to S3: a single client per process, the bucket filled in here, and
 * the few object verbs and the presigned POST attachments use (download links are signed in
 * s3-download.ts, without this client). Only attachment.ts imports this module,
 * and only dynamically, so a request that uploads, attaches or deletes no file never loads the S3 SDK.
 */
export interface StoredObject {
  size: number;
  contentType: string | null;
}

export interface PresignedPost {
  url: string;
  /** In the order the form must send them; the file goes last, as "file". */
  fields: { name: string; value: string }[];
}

let client: S3Client | undefined;
let clientSettings: S3Settings | undefined;

export function s3Client(): S3Client {
  const s = s3Settings();
  if (client && clientSettings === s) return client;
  client?.destroy();
  clientSettings = s;
  const config: S3ClientConfig = {
    region: s.region ?? S3_DEFAULT_REGION,
    // 2 attempts × 3 s plus backoff stays under the API's 8 s execution timeout.
    maxAttempts: s.maxAttempts ?? 2,
    // Checksums only where S3 requires them: download URLs stay plain GETs a browser can follow.
    requestChecksumCalculation: "WHEN_REQUIRED",
    responseChecksumValidation: "WHEN_REQUIRED",
    requestHandler: new NodeHttpHandler({
      connectionTimeout: s.connectionTimeoutMs ?? 1_000,
      requestTimeout: s.requestTimeoutMs ?? 3_000,
      throwOnRequestTimeout: true,
    }),
  };
  if (s.endpoint) {
    config.endpoint = s.endpoint;
    // s3rver serves buckets as path segments (no bucket.localhost DNS) and checks no signature.
    config.forcePathStyle = true;
    config.credentials = localS3Credentials(s);
  }
  client = new S3Client(config);
  client.middlewareStack.add(awsCallTiming("S3"), AWS_CALL_TIMING_OPTIONS);
  return client;
}

function isMissing(error: unknown): boolean {
  const { name, $metadata } = error as { name?: string; $metadata?: { httpStatusCode?: number } };
  // Without s3:ListBucket (deliberately not granted) S3 answers a HEAD of a missing key with 403.
  return name === "NotFound" || name === "NoSuchKey" || $metadata?.httpStatusCode === 404 || $metadata?.httpStatusCode === 403;
}

export const s3 = {
  /** Size and type of an object, or null when there is none. */
  async head(key: string): Promise<StoredObject | null> {
    try {
      const head = await s3Client().send(new HeadObjectCommand({ Bucket: s3Settings().bucketName, Key: key }));
      return { size: head.ContentLength ?? 0, contentType: head.ContentType ?? null };
    } catch (error) {
      if (isMissing(error)) return null;
      throw error;
    }
  },

  async copy(from: string, to: string): Promise<void> {
    const bucket = s3Settings().bucketName;
    await s3Client().send(
      new CopyObjectCommand({
        Bucket: bucket,
        Key: to,
        CopySource: `${bucket}/${encodeURIComponent(from).replaceAll("%2F", "/")}`,
        MetadataDirective: "COPY",
      }),
    );
  },

  async remove(key: string): Promise<void> {
    await s3Client().send(new DeleteObjectCommand({ Bucket: s3Settings().bucketName, Key: key }));
  },

  /** A browser form POST to exactly `key`, of exactly `size` bytes of `contentType`, until it expires. */
  async presignPost(input: { key: string; size: number; contentType: string; expiresInSeconds: number }): Promise<PresignedPost> {
    const { url, fields } = await createPresignedPost(s3Client(), {
      Bucket: s3Settings().bucketName,
      Key: input.key,
      Conditions: [
        ["content-length-range", input.size, input.size],
        ["eq", "$Content-Type", input.contentType],
      ],
      Fields: { "Content-Type": input.contentType },
      Expires: input.expiresInSeconds,
    });
    return { url, fields: Object.entries(fields).map(([name, value]) => ({ name, value })) };
  },
};
