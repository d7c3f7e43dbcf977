import { HeadObjectCommand, ListObjectsV2Command } from "@aws-sdk/client-s3";
import { presignGet } from "@notes/core/s3-download";
import { s3Client } from "@notes/core/s3";
import { s3Settings } from "@notes/core/s3-settings";
import type { FileView } from "./types.ts";

/** Past this many objects the console lists no more (a local bucket holds a few). */
const MAX_FILES = 1000;
const DOWNLOAD_SECONDS = 15 * 60;

/**
 * The bucket's objects, newest first, each with a download link (saved under the name the table
 * records for its key, when it does) and the note its key names.
 */
export async function listFiles(fileNames: ReadonlyMap<string, string> = new Map()): Promise<FileView[]> {
  const bucket = s3Settings().bucketName;
  const files: FileView[] = [];
  let token: string | undefined;
  do {
    const page = await s3Client().send(new ListObjectsV2Command({ Bucket: bucket, ContinuationToken: token }));
    for (const object of page.Contents ?? []) {
      if (!object.Key || files.length >= MAX_FILES) continue;
      const head = await s3Client().send(new HeadObjectCommand({ Bucket: bucket, Key: object.Key }));
      const contentType = head.ContentType ?? null;
      const url = await presignGet({
        key: object.Key,
        fileName: fileNames.get(object.Key) ?? object.Key.slice(object.Key.lastIndexOf("/") + 1),
        contentType: contentType ?? "application/octet-stream",
        expiresInSeconds: DOWNLOAD_SECONDS,
      });
      files.push({
        key: object.Key,
        size: object.Size ?? 0,
        contentType,
        lastModified: object.LastModified?.toISOString() ?? null,
        url,
        ...keyLayout(object.Key),
      });
    }
    token = files.length < MAX_FILES ? page.NextContinuationToken : undefined;
  } while (token);
  return files.sort((a, b) => (b.lastModified ?? "").localeCompare(a.lastModified ?? ""));
}

/** core/attachment.ts's layout: attachments/<user>/<noteId>/<uploadId>, uploads/<user>/<uploadId>. */
export function keyLayout(key: string): Pick<FileView, "kind" | "noteId" | "userSegment"> {
  const parts = key.split("/");
  if (parts[0] === "attachments" && parts.length === 4) return { kind: "attachment", userSegment: parts[1]!, noteId: parts[2]! };
  if (parts[0] === "uploads" && parts.length === 3) return { kind: "upload", userSegment: parts[1]!, noteId: null };
  return { kind: "other", userSegment: null, noteId: null };
}
