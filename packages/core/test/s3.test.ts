import { describe, expect, it } from "vitest";
import { configureS3 } from "../src/s3-settings.ts";
import { contentDisposition } from "../src/s3-download.ts";
import { s3 } from "../src/s3.ts";

// Signing is local computation: no S3 is needed to check what a presigned POST allows.

describe("presigned POST policy", () => {
  it("pins the key, the exact size, the content type and a 15-minute expiry", async () => {
    configureS3({ bucketName: "policy-test", endpoint: "http://127.0.0.1:9/s3" });
    const before = Date.now();
    const post = await s3.presignPost({ key: "uploads/alice/01ABC", size: 1234, contentType: "image/png", expiresInSeconds: 900 });
    const fields = Object.fromEntries(post.fields.map(({ name, value }) => [name, value]));
    expect(post.url).toBe("http://127.0.0.1:9/s3/policy-test");
    expect(fields).toMatchObject({ key: "uploads/alice/01ABC", "Content-Type": "image/png", bucket: "policy-test" });
    expect(post.fields.map(({ name }) => name)).toContain("X-Amz-Signature");

    const policy = JSON.parse(Buffer.from(fields.Policy!, "base64").toString("utf8"));
    expect(policy.conditions).toEqual(
      expect.arrayContaining([
        ["content-length-range", 1234, 1234],
        ["eq", "$Content-Type", "image/png"],
        { key: "uploads/alice/01ABC" },
        { bucket: "policy-test" },
      ]),
    );
    // No condition lets the client choose another key (no starts-with on $key).
    expect(policy.conditions.filter((c: unknown) => Array.isArray(c) && c[1] === "$key")).toEqual([]);
    const expiresIn = Date.parse(policy.expiration) - before;
    expect(expiresIn).toBeGreaterThan(899_000 - 1_000);
    expect(expiresIn).toBeLessThanOrEqual(900_000 + 1_000);
  });
});

describe("contentDisposition (RFC 6266)", () => {
  it("keeps an ASCII name as it is", () => {
    expect(contentDisposition("report.pdf")).toBe(`attachment; filename="report.pdf"; filename*=UTF-8''report.pdf`);
  });

  it("gives non-ASCII names as UTF-8 filename* with an ASCII fallback", () => {
    expect(contentDisposition("Zürich 日本 🎉.pdf")).toBe(
      `attachment; filename="Z_rich __ __.pdf"; filename*=UTF-8''Z%C3%BCrich%20%E6%97%A5%E6%9C%AC%20%F0%9F%8E%89.pdf`,
    );
  });

  it("cannot be broken out of by quotes, backslashes or semicolons", () => {
    const header = contentDisposition(`a"; filename="evil.exe\\;x'.txt`);
    expect(header).toBe(`attachment; filename="a_; filename=_evil.exe_;x'.txt"; filename*=UTF-8''a%22%3B%20filename%3D%22evil.exe%5C%3Bx%27.txt`);
  });
});
