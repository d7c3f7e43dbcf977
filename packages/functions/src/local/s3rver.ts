import type { IncomingMessage, ServerResponse } from "node:http";
import { limits as attachmentLimits, uploadStartedAt } from "@notes/core/attachment";
import S3rver from "s3rver";
import { log } from "../log.ts";
import { removeUploadRecordsStartedBefore } from "./upload-records.ts";

/**
 * The local stand-in for S3: s3rver inside the local server's process, its files under the data
 * directory, reached at `/s3/…` on the API's own origin, so the presigned URLs the API hands out
 * work from a browser on this machine with nothing else to open. s3rver checks neither POST
 * policies nor signatures: locally, the API's checks at attach time are what hold the limits.
 */
export const LOCAL_S3_PATH = "/s3";
const STALE_AFTER_MS = 24 * 60 * 60 * 1000;
/** s3rver buffers a POST in memory: anything much past the 10 MiB limit is refused unread. */
const MAX_UPLOAD_BODY_BYTES = attachmentLimits.maxBytes + 64 * 1024;

export interface LocalS3 {
  /** True for `/s3` and everything under it. */
  handles(path: string): boolean;
  handle(req: IncomingMessage, res: ServerResponse): void;
  /** Removes uploads (objects and their records) started over a day ago; needs the table configured. */
  removeStaleUploads(): Promise<void>;
}

/** Local origins only: the app served by `npm start` is same-origin; Vite's dev server is not. */
function corsConfiguration(): string {
  const origins = ["http://localhost:*", "http://127.0.0.1:*", "http://[::1]:*"]
    .map((origin) => `<AllowedOrigin>${origin}</AllowedOrigin>`)
    .join("");
  return (
    `<CORSConfiguration><CORSRule>${origins}` +
    "<AllowedMethod>GET</AllowedMethod><AllowedMethod>HEAD</AllowedMethod><AllowedMethod>POST</AllowedMethod>" +
    "<AllowedHeader>*</AllowedHeader><MaxAgeSeconds>3000</MaxAgeSeconds></CORSRule></CORSConfiguration>"
  );
}

export async function startLocalS3(options: { directory: string; bucketName: string }): Promise<LocalS3> {
  const s3rver = new S3rver({
    directory: options.directory,
    silent: true,
    // Every bucket is a path segment: a HOST name must never be read as a bucket.
    vhostBuckets: false,
    configureBuckets: [{ name: options.bucketName, configs: [corsConfiguration()] }],
  });
  await s3rver.configureBuckets();
  const listener = s3rver.callback();
  return {
    handles: (path) => path === LOCAL_S3_PATH || path.startsWith(`${LOCAL_S3_PATH}/`),
    handle(req, res) {
      if (Number(req.headers["content-length"] ?? 0) > MAX_UPLOAD_BODY_BYTES) {
        res.writeHead(413, { "content-type": "text/plain; charset=utf-8", connection: "close" });
        res.end(`Uploads are limited to ${attachmentLimits.maxBytes} bytes.`);
        return;
      }
      req.url = req.url!.slice(LOCAL_S3_PATH.length) || "/";
      // s3rver's Express-mount interop: it signs nothing, but keeps the mount in mind for resources.
      (req as IncomingMessage & { baseUrl?: string }).baseUrl = LOCAL_S3_PATH;
      listener(req, res);
    },
    // Nothing to close: s3rver never listens here (its routes ride on the API's server), and its
    // silent logger holds no handles. Closing that logger at Ctrl-C raced tsx's signal relay.
    removeStaleUploads: () => removeStaleUploads(s3rver, options.bucketName),
  };
}

/**
 * In AWS a lifecycle rule expires `uploads/` after a day and the table's TTL drops upload records;
 * locally neither exists, so each start removes uploads (objects and records) over a day old.
 */
async function removeStaleUploads(s3rver: S3rver, bucketName: string): Promise<void> {
  const cutoff = Date.now() - STALE_AFTER_MS;
  let removedObjects = 0;
  let startAfter: string | undefined;
  for (;;) {
    const page = await s3rver.store.listObjects(bucketName, { prefix: "uploads/", maxKeys: 1000, startAfter });
    for (const { key } of page.objects) {
      if ((uploadStartedAt(key.slice(key.lastIndexOf("/") + 1)) ?? 0) < cutoff) {
        await s3rver.store.deleteObject(bucketName, key);
        removedObjects++;
      }
    }
    if (!page.isTruncated || page.objects.length === 0) break;
    startAfter = page.objects.at(-1)!.key;
  }
  const removedRecords = await removeUploadRecordsStartedBefore(cutoff);
  if (removedObjects || removedRecords) log.info("removed stale uploads", { removedObjects, removedRecords });
}
