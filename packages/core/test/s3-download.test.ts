import { GetObjectCommand } from "@aws-sdk/client-s3";
import { getSignedUrl } from "@aws-sdk/s3-request-presigner";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { contentDisposition, presignGet, type DownloadInput } from "../src/s3-download.ts";
import { configureS3, type S3Settings } from "../src/s3-settings.ts";
import { s3Client } from "../src/s3.ts";

// Signing is local computation: both sides sign the same instant with the same credentials, no S3 involved.

const FILES: { key: string; fileName: string; contentType: string }[] = [
  { key: "attachments/alice/01JNOTE/01JUPLOAD", fileName: "report.pdf", contentType: "application/pdf" },
  { key: "attachments/~hAsh-_x/01J/01K", fileName: "Zürich 日本 🎉.pdf", contentType: "application/pdf" },
  { key: "attachments/a b/c+d/e%41f", fileName: "with spaces and 'single' \"double\" quotes.txt", contentType: 'text/plain; charset="utf-8"' },
  { key: "../attachments/../../etc/passwd", fileName: "../../etc/passwd", contentType: "text/plain" },
  { key: "attachments//empty//segments/", fileName: "a;b=c,d&e?f#g.txt", contentType: "application/octet-stream" },
  { key: "attachments/ünï/çødé/!*'()~", fileName: "\\back\\slash%20.txt", contentType: "image/svg+xml" },
];

const BUCKET = "notes-prod-attachments-1a2b3c";

/** What CloudFormation's RegionalDomainName (the stacks' bucketRegionalDomainName) gives for a bucket. */
const regionalDomain = (bucket: string, region: string) => `${bucket}.s3.${region}.amazonaws.com`;

/** The download link the SDK's own presigner gives for the same object, through the product's S3 client. */
function sdkUrl(file: DownloadInput, bucketName: string): Promise<string> {
  const command = new GetObjectCommand({
    Bucket: bucketName,
    Key: file.key,
    ResponseContentDisposition: contentDisposition(file.fileName),
    ResponseContentType: file.contentType,
  });
  return getSignedUrl(s3Client(), command, { expiresIn: file.expiresInSeconds });
}

async function expectSameAsSdk(settings: S3Settings): Promise<string[]> {
  configureS3(settings);
  const urls: string[] = [];
  for (const file of FILES) {
    const input = { ...file, expiresInSeconds: 900 };
    const ours = await presignGet(input);
    expect(ours).toBe(await sdkUrl(input, settings.bucketName));
    urls.push(ours);
  }
  return urls;
}

describe("presigned download links equal getSignedUrl(GetObjectCommand) byte for byte", () => {
  beforeEach(() => {
    vi.useFakeTimers({ now: new Date("2026-11-30T12:34:56.789Z"), toFake: ["Date"] });
    // Fixed credentials for the SDK's default chain (environment first), and no shared files to read.
    vi.stubEnv("AWS_ACCESS_KEY_ID", "AKIAIOSFODNN7EXAMPLE");
    vi.stubEnv("AWS_SECRET_ACCESS_KEY", "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY");
    vi.stubEnv("AWS_SESSION_TOKEN", "IQoJb3JpZ2luX2VjEXAMPLE/session+token==");
    vi.stubEnv("AWS_CONFIG_FILE", "/nonexistent/notes-test/config");
    vi.stubEnv("AWS_SHARED_CREDENTIALS_FILE", "/nonexistent/notes-test/credentials");
    for (const name of ["AWS_PROFILE", "AWS_ENDPOINT_URL", "AWS_ENDPOINT_URL_S3", "AWS_USE_FIPS_ENDPOINT", "AWS_USE_DUALSTACK_ENDPOINT"]) {
      vi.stubEnv(name, undefined);
    }
  });
  afterEach(() => {
    vi.useRealTimers();
    vi.unstubAllEnvs();
  });

  it("for a local endpoint, path-style, with s3rver's fixed credentials", async () => {
    const urls = await expectSameAsSdk({ bucketName: "notes-attachments", endpoint: "http://127.0.0.1:4569/s3" });
    expect(urls[0]).toMatch(/^http:\/\/127\.0\.0\.1:4569\/s3\/notes-attachments\/attachments\/alice\/01JNOTE\/01JUPLOAD\?/);
    expect(urls[0]).toContain("X-Amz-Credential=S3RVER%2F20261130%2Fus-east-1%2Fs3%2Faws4_request");
    expect(urls[0]).toContain("X-Amz-Date=20261130T123456Z");
    expect(urls[0]).not.toContain("x-amz-checksum-mode");
  });

  it.each([
    "http://localhost:4569",
    "http://localhost:4569/",
    "https://s3.internal.example:8443/prefix/s3/",
    "http://[::1]:4569/s3",
    "http://LOCALHOST:80/S3",
  ])("for the custom endpoint %s", async (endpoint) => {
    await expectSameAsSdk({ bucketName: "notes-attachments", endpoint });
  });

  it.each(["us-east-1", "eu-west-1", "ap-southeast-2", "ca-west-1", "il-central-1", "mx-central-1"])(
    "for the bucket's regional domain in %s, virtual-hosted, with session credentials",
    async (region) => {
      const urls = await expectSameAsSdk({ bucketName: BUCKET, region, bucketDomain: regionalDomain(BUCKET, region) });
      expect(urls[0]).toMatch(new RegExp(`^https://${BUCKET}\\.s3\\.${region}\\.amazonaws\\.com/attachments/alice/`));
      expect(urls[0]).toContain("X-Amz-Security-Token=");
      expect(urls[0]).toContain(`X-Amz-Credential=AKIAIOSFODNN7EXAMPLE%2F20261130%2F${region}%2Fs3%2Faws4_request`);
    },
  );

  it("for the default region when none is set", async () => {
    const urls = await expectSameAsSdk({ bucketName: BUCKET, bucketDomain: regionalDomain(BUCKET, "us-east-1") });
    expect(urls[0]).toMatch(/^https:\/\/[^/]+\.s3\.us-east-1\.amazonaws\.com\//);
  });
});

describe("the bucket's address", () => {
  it("is the domain the stacks hand over, not one worked out from S3's rules", async () => {
    vi.stubEnv("AWS_ACCESS_KEY_ID", "AKIAIOSFODNN7EXAMPLE");
    vi.stubEnv("AWS_SECRET_ACCESS_KEY", "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY");
    configureS3({ bucketName: BUCKET, region: "eu-west-1", bucketDomain: "files.example.test" });
    const url = new URL(await presignGet({ ...FILES[0]!, expiresInSeconds: 900 }));
    expect([url.host, url.pathname]).toEqual(["files.example.test", "/attachments/alice/01JNOTE/01JUPLOAD"]);
    vi.unstubAllEnvs();
  });

  it("must be given in AWS: no domain and no endpoint is a clear error", async () => {
    configureS3({ bucketName: BUCKET, region: "eu-west-1" });
    await expect(presignGet({ ...FILES[0]!, expiresInSeconds: 900 })).rejects.toThrow("ATTACHMENTS_BUCKET_DOMAIN is not set");
  });
});

describe("loading", () => {
  afterEach(() => {
    vi.doUnmock("../src/s3.ts");
    vi.resetModules();
    vi.unstubAllEnvs();
  });

  /** Imports a fresh s3-download.ts and says whether signing a link loaded s3.ts (and so the S3 client). */
  async function loadsS3Client(settings: S3Settings): Promise<boolean> {
    vi.resetModules();
    let loaded = false;
    vi.doMock("../src/s3.ts", async (importOriginal) => {
      loaded = true;
      return importOriginal();
    });
    const settingsModule = await import("../src/s3-settings.ts");
    settingsModule.configureS3(settings);
    const downloads = await import("../src/s3-download.ts");
    await downloads.presignGet({ ...FILES[0]!, expiresInSeconds: 900 });
    return loaded;
  }

  it("signs a link without the S3 client, locally and in AWS", async () => {
    vi.stubEnv("AWS_ACCESS_KEY_ID", "AKIAIOSFODNN7EXAMPLE");
    vi.stubEnv("AWS_SECRET_ACCESS_KEY", "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY");
    vi.stubEnv("AWS_CONFIG_FILE", "/nonexistent/notes-test/config");
    expect(await loadsS3Client({ bucketName: "notes-attachments", endpoint: "http://127.0.0.1:4569/s3" })).toBe(false);
    expect(await loadsS3Client({ bucketName: BUCKET, region: "eu-west-1", bucketDomain: regionalDomain(BUCKET, "eu-west-1") })).toBe(false);
  });
});
