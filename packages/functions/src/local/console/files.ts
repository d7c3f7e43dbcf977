import { HeadObjectCommand, ListObjectsV2Command, type _Object } from "@aws-sdk/client-s3";
import { inParallel } from "@notes/core/in-parallel";
import { presignGet } from "@notes/core/s3-download";
import { s3Client } from "@notes/core/s3";
import { s3Settings } from "@notes/core/s3-settings";
import type { FileView } from "./types.ts";

/** Past this many objects the console lists no more (a local bucket holds a few). */
const MAX_FILES = 1000;
const DOWNLOAD_SECONDS = 15 * 60;
const HEADS_IN_FLIGHT = 8;

/**
 * The bucket's objects, newest first, each with a download link (saved under the name the table
 * records for its key, when it does) and the note its key names.
 */
export async function listFiles(fileNames: ReadonlyMap<string, string> = new Map()): Promise<FileView[]> {
  const bucket = s3Settings().bucketName;
  const objects: (_Object & { Key: string })[] = [];
  let token: string | undefined;
  do {
    const page = await s3Client().send(new ListObjectsV2Command({ Bucket: bucket, ContinuationToken: token }));
    objects.push(...(page.Contents ?? []).filter((object): object is _Object & { Key: string } => object.Key !== undefined));
    token = objects.length < MAX_FILES ? page.NextContinuationToken : undefined;
  } while (token);
  const files: FileView[] = [];
  // The content type is only in each object's head: a few at a time.
  await inParallel(objects.slice(0, MAX_FILES), HEADS_IN_FLIGHT, async ({ Key: key, Size: size, LastModified: lastModified }) => {
    const head = await s3Client().send(new HeadObjectCommand({ Bucket: bucket, Key: key }));
    const contentType = head.ContentType ?? null;
    const url = await presignGet({
      key,
      fileName: fileNames.get(key) ?? key.slice(key.lastIndexOf("/") + 1),
      contentType: contentType ?? "application/octet-stream",
      expiresInSeconds: DOWNLOAD_SECONDS,
    });
    files.push({ key, size: size ?? 0, contentType, lastModified: lastModified?.toISOString() ?? null, url, ...keyLayout(key) });
  });
  return files.sort((a, b) => (b.lastModified ?? "").localeCompare(a.lastModified ?? "") || a.key.localeCompare(b.key));
}

/** core/attachment.ts's layout: attachments/<user>/<noteId>/<uploadId>, uploads/<user>/<uploadId>. */
export function keyLayout(key: string): Pick<FileView, "kind" | "noteId" | "userSegment"> {
  const parts = key.split("/");
  if (parts[0] === "attachments" && parts.length === 4) return { kind: "attachment", userSegment: parts[1]!, noteId: parts[2]! };
  if (parts[0] === "uploads" && parts.length === 3) return { kind: "upload", userSegment: parts[1]!, noteId: null };
  return { kind: "other", userSegment: null, noteId: null };
}
