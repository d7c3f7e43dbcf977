/**
 * Which bucket and endpoint the S3 module uses. Apart from s3.ts so that configuring it (local
 * server, tests) does not load the S3 SDK: only a request that touches a file does.
 */
export interface S3Settings {
  bucketName: string;
  /** Set for s3rver (path-style, fixed local credentials); unset in AWS. */
  endpoint?: string;
  /** In AWS, the bucket's regional domain name (`<bucket>.s3.<region>.amazonaws.com`): where download links point. */
  bucketDomain?: string;
  region?: string;
  maxAttempts?: number;
  connectionTimeoutMs?: number;
  requestTimeoutMs?: number;
}

/** The S3 client's region when neither the settings nor AWS_REGION name one. */
export const S3_DEFAULT_REGION = "us-east-1";

/** s3rver checks no signature; fixed credentials keep the SDK from searching for real ones. */
export const LOCAL_S3_CREDENTIALS = { accessKeyId: "S3RVER", secretAccessKey: "S3RVER" } as const;

/** The credentials to sign with for these settings: s3rver's fixed pair, or undefined for the SDK's default chain. */
export function localS3Credentials(settings: S3Settings): typeof LOCAL_S3_CREDENTIALS | undefined {
  return settings.endpoint ? LOCAL_S3_CREDENTIALS : undefined;
}

let settings: S3Settings | undefined;

function settingsFromEnv(): S3Settings {
  const bucketName = process.env.ATTACHMENTS_BUCKET;
  if (!bucketName) throw new Error("ATTACHMENTS_BUCKET is not set");
  return {
    bucketName,
    endpoint: process.env.S3_ENDPOINT || undefined,
    bucketDomain: process.env.ATTACHMENTS_BUCKET_DOMAIN || undefined,
    region: process.env.AWS_REGION,
  };
}

/** Points the S3 module at a bucket (local server, tests); its client is rebuilt on next use. */
export function configureS3(next: S3Settings): void {
  settings = next;
}

export function s3Settings(): S3Settings {
  settings ??= settingsFromEnv();
  return settings;
}
