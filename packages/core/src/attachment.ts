import { createHash, randomUUID } from "node:crypto";
import { decodeTime } from "ulid";
import { dynamo, isConditionFailure } from "./dynamo.ts";
import { VisibleError } from "./errors.ts";
import { isUlid, nextUlid } from "./ids.ts";
import { MAX_USER_ID_CHARS, reservedPartition } from "./table.ts";
import { countCodePoints, isOnlyWhitespace } from "./text.ts";

/**
 * Files on notes. The browser uploads straight to S3 (a presigned POST under `uploads/`); a
 * pending-upload record in the table remembers what was declared; attaching checks the object
 * against it and copies it under `attachments/`. The S3 SDK is imported only when a verb needs
 * it, so requests that touch no file never load it, and download links need no S3 client.
 */

/** What a note records about its file (SPEC "Data": file name, type, size, S3 key). */
export interface Attachment {
  fileName: string;
  contentType: string;
  size: number;
  key: string;
}

export interface UploadInput {
  fileName: string;
  contentType: string;
  size: number;
}

export interface Upload {
  id: string;
  url: string;
  fields: { name: string; value: string }[];
  expiresAt: string;
}

export const limits = {
  maxBytes: 10 * 1024 * 1024,
  fileNameMaxChars: 255,
  contentTypeMaxChars: 255,
  /** How long the presigned POST, and so the upload id, is valid. */
  uploadExpiresInSeconds: 15 * 60,
  downloadExpiresInSeconds: 15 * 60,
} as const;

type UploadState = "pending" | "claimed" | "attached";

interface UploadItem {
  userId: string;
  noteId: string;
  ownerId: string;
  key: string;
  fileName: string;
  contentType: string;
  size: number;
  createdAt: string;
  expiresAt: string;
  /** Epoch seconds for DynamoDB TTL (the table's time-to-live attribute); a day past expiry. */
  expiresAtEpoch: number;
  state: UploadState;
  claim?: string;
  claimedFor?: string;
}

/** Pending-upload records: partition `pending-upload/<upload id>/~~~…`, sort key "upload" (pendingUploadKey). */
export const UPLOAD_SORT_KEY = "upload";
export const PENDING_PARTITION_KIND = "pending-upload";
/** RFC 7230 token characters: a MIME type's type, subtype and parameter names. */
const TOKEN = "[!#$%&'*+.^_`|~0-9A-Za-z-]+";
const QUOTED = '"(?:[^"\\\\\\x00-\\x1f\\x7f]|\\\\[\\x20-\\x7e])*"';
const MIME_TYPE = new RegExp(`^${TOKEN}/${TOKEN}(?:[ \\t]*;[ \\t]*${TOKEN}=(?:${TOKEN}|${QUOTED}))*$`);
/** C0 and C1 controls and DEL; also line and paragraph separators, which break headers and logs. */
const CONTROL = /[\u0000-\u001f\u007f-\u009f\u2028\u2029]/;
const SAFE_USER_SEGMENT = /^[A-Za-z0-9_-]{1,128}$/;
const TTL_GRACE_SECONDS = 24 * 60 * 60;
const loadS3 = () => import("./s3.ts");
// Download links are signed without the S3 client: listing notes with files does not load it.
const loadDownloads = () => import("./s3-download.ts");

type LeftoverReporter = (message: string, details: Record<string, unknown>) => void;
let reportLeftover: LeftoverReporter = (message, details) => console.warn(message, details);

/** Where an S3 object or a search index item that could not be deleted is reported (the API's logger). */
export function onLeftover(reporter: LeftoverReporter): void {
  reportLeftover = reporter;
}

/** Reports something left behind that is harmless but costs storage (see onLeftover). */
export function leftover(message: string, details: Record<string, unknown>): void {
  reportLeftover(message, details);
}

/** Outside every user's note partition, and unnameable by any caller (table.ts reservedPartition). */
export function pendingUploadKey(uploadId: string): { userId: string; noteId: string } {
  return { userId: reservedPartition(PENDING_PARTITION_KIND, uploadId), noteId: UPLOAD_SORT_KEY };
}

/** When an upload was started (upload ids are ULIDs); null for a string that is not an upload id. */
export function uploadStartedAt(uploadId: string): number | null {
  return isUlid(uploadId) ? decodeTime(uploadId) : null;
}

/** A user's S3 key segment: their id when it is plainly safe in a URL path, else a hash of it. */
function userSegment(userId: string): string {
  if (SAFE_USER_SEGMENT.test(userId)) return userId;
  // "~" is outside the safe alphabet, so a hashed segment never equals a plain one.
  return `~${createHash("sha256").update(userId).digest("base64url")}`;
}

export function uploadKey(userId: string, uploadId: string): string {
  return `uploads/${userSegment(userId)}/${uploadId}`;
}

export function attachmentKey(userId: string, noteId: string, uploadId: string): string {
  return `attachments/${userSegment(userId)}/${noteId}/${uploadId}`;
}

/** Starts an upload: validates the declaration, records it, and presigns the browser's POST. */
export async function createUpload(userId: string, input: UploadInput): Promise<Upload> {
  checkUserId(userId);
  const fileName = checkFileName(input.fileName);
  const contentType = checkContentType(input.contentType);
  const size = checkSize(input.size);
  const now = Date.now();
  const id = nextUlid(now);
  const expiresAtMs = now + limits.uploadExpiresInSeconds * 1000;
  const item: UploadItem = {
    ...pendingUploadKey(id),
    ownerId: userId,
    key: uploadKey(userId, id),
    fileName,
    contentType,
    size,
    createdAt: new Date(now).toISOString(),
    expiresAt: new Date(expiresAtMs).toISOString(),
    expiresAtEpoch: Math.ceil(expiresAtMs / 1000) + TTL_GRACE_SECONDS,
    state: "pending",
  };
  const { s3 } = await loadS3();
  // Presigned first: if S3 signing fails, no record is left behind.
  const post = await s3.presignPost({ key: item.key, size, contentType, expiresInSeconds: limits.uploadExpiresInSeconds });
  await dynamo.put({ Item: item, ConditionExpression: "attribute_not_exists(userId)" });
  return { id, url: post.url, fields: post.fields, expiresAt: item.expiresAt };
}

/**
 * An upload taken for one note: its file is already copied to `attachment.key`. The caller writes
 * the note, then calls `complete()`; if the write fails, `release()` gives the upload back.
 */
export interface Claim {
  attachment: Attachment;
  complete(): Promise<void>;
  release(): Promise<void>;
}

/**
 * Takes the caller's upload for `noteId` (SPEC "Attachments"). Order: read the record, check the
 * object against it, claim the record with a conditional write (one winner among concurrent
 * attaches), then copy the object. Nothing points at the copy until the note's own write.
 */
export async function claim(userId: string, noteId: string, uploadId: unknown): Promise<Claim> {
  checkUserId(userId);
  if (typeof uploadId !== "string" || !isUlid(uploadId)) throw badUpload("is not an upload id from this API");
  const { Item } = await dynamo.get({ Key: pendingUploadKey(uploadId), ConsistentRead: true });
  const record = Item as UploadItem | undefined;
  // Another user's upload reads exactly like a missing one.
  if (!record || record.ownerId !== userId) throw badUpload("does not name an upload of yours");
  if (record.state !== "pending") throw badUpload("is already attached to a note");
  if (record.expiresAt <= new Date().toISOString()) throw badUpload("has expired; upload the file again");

  const { s3 } = await loadS3();
  const stored = await s3.head(record.key);
  if (!stored) throw badUpload("has no file yet; POST the file to the upload URL first");
  if (stored.size !== record.size || stored.size > limits.maxBytes || stored.contentType !== record.contentType) {
    await discardUpload(uploadId, record);
    throw badUpload(
      `does not match its declaration (${record.size} bytes of ${record.contentType}); it was discarded, upload the file again`,
    );
  }

  const token = randomUUID();
  try {
    await dynamo.update({
      Key: pendingUploadKey(uploadId),
      UpdateExpression: "SET #state = :claimed, #claim = :token, #for = :note",
      ConditionExpression: "#state = :pending AND #owner = :me AND #expiresAt > :now",
      ExpressionAttributeNames: { "#state": "state", "#claim": "claim", "#for": "claimedFor", "#owner": "ownerId", "#expiresAt": "expiresAt" },
      ExpressionAttributeValues: {
        ":claimed": "claimed",
        ":pending": "pending",
        ":token": token,
        ":note": noteId,
        ":me": userId,
        ":now": new Date().toISOString(),
      },
    });
  } catch (error) {
    if (isConditionFailure(error)) throw badUpload("is already attached to a note");
    throw error;
  }

  const attachment: Attachment = {
    fileName: record.fileName,
    contentType: record.contentType,
    size: record.size,
    key: attachmentKey(userId, noteId, uploadId),
  };
  const giveBack = () =>
    dynamo.update({
      Key: pendingUploadKey(uploadId),
      UpdateExpression: "SET #state = :pending REMOVE #claim, #for",
      ConditionExpression: "#claim = :token",
      ExpressionAttributeNames: { "#state": "state", "#claim": "claim", "#for": "claimedFor" },
      ExpressionAttributeValues: { ":pending": "pending", ":token": token },
    });
  try {
    await s3.copy(record.key, attachment.key);
  } catch (error) {
    // The copy may have landed before the failure surfaced; it goes before the claim is given back.
    await deleteObject(attachment.key, "copy of a failed attach");
    await giveBack().catch((cause) => reportLeftover("upload claim not given back", { uploadId, error: cause }));
    throw error;
  }

  return {
    attachment,
    async complete() {
      // The note now points at the copy; what follows only tidies up.
      await dynamo
        .update({
          Key: pendingUploadKey(uploadId),
          UpdateExpression: "SET #state = :attached",
          ConditionExpression: "#claim = :token",
          ExpressionAttributeNames: { "#state": "state", "#claim": "claim" },
          ExpressionAttributeValues: { ":attached": "attached", ":token": token },
        })
        .catch((error) => reportLeftover("upload record not marked attached (it stays claimed)", { uploadId, error }));
      await deleteObject(record.key, "attached upload's source (the uploads/ lifecycle rule removes it)");
    },
    async release() {
      // Copy first, claim second: once given back, another attach to this note may copy to the same key.
      await deleteObject(attachment.key, "copy of a failed attach");
      await giveBack().catch((error) => reportLeftover("upload claim not given back", { uploadId, error }));
    },
  };
}

/** Deletes a note's file once the note no longer points at it (replaced, removed, note deleted). */
export async function discard(attachment: Attachment | null | undefined): Promise<void> {
  if (attachment) await deleteObject(attachment.key, "file of a replaced, removed or deleted attachment");
}

/** A presigned download link for the note's file that saves it under its file name. */
export async function downloadUrl(attachment: Attachment): Promise<string> {
  const { presignGet } = await loadDownloads();
  return presignGet({
    key: attachment.key,
    fileName: attachment.fileName,
    contentType: attachment.contentType,
    expiresInSeconds: limits.downloadExpiresInSeconds,
  });
}

/** The file name as stored: without any directory part, 1 to 255 characters, printable. */
export function checkFileName(value: unknown): string {
  if (typeof value !== "string") throw badInput("fileName", '"fileName" must be a string.');
  const name = value.slice(Math.max(value.lastIndexOf("/"), value.lastIndexOf("\\")) + 1);
  if (!value.isWellFormed()) throw badInput("fileName", '"fileName" contains unpaired UTF-16 surrogates.');
  if (CONTROL.test(name)) throw badInput("fileName", '"fileName" must not contain control characters.');
  if (isOnlyWhitespace(name) || name === "." || name === "..") {
    throw badInput("fileName", '"fileName" must name a file (not empty, only whitespace, "." or "..").');
  }
  if (countCodePoints(name, limits.fileNameMaxChars) > limits.fileNameMaxChars) {
    throw badInput("fileName", `"fileName" must be at most ${limits.fileNameMaxChars} characters.`, {
      max: limits.fileNameMaxChars,
    });
  }
  return name;
}

export function checkContentType(value: unknown): string {
  if (typeof value !== "string" || value.length > limits.contentTypeMaxChars || !MIME_TYPE.test(value)) {
    throw badInput(
      "contentType",
      `"contentType" must be a MIME type (type/subtype, parameters allowed) of at most ${limits.contentTypeMaxChars} characters.`,
    );
  }
  return value;
}

export function checkSize(value: unknown): number {
  if (typeof value !== "number" || !Number.isInteger(value) || value < 1 || value > limits.maxBytes) {
    throw badInput("size", `"size" must be a whole number of bytes from 1 to ${limits.maxBytes} (10 MiB).`, {
      max: limits.maxBytes,
    });
  }
  return value;
}

function checkUserId(userId: string): void {
  // The pending-upload partitions rely on it; auth.ts refuses longer subs before any verb runs.
  if (userId.length === 0 || userId.length > MAX_USER_ID_CHARS) throw new Error("user id out of range");
}

async function discardUpload(uploadId: string, record: UploadItem): Promise<void> {
  await deleteObject(record.key, "upload that did not match its declaration");
  await dynamo
    .remove({
      Key: pendingUploadKey(uploadId),
      ConditionExpression: "#state = :pending",
      ExpressionAttributeNames: { "#state": "state" },
      ExpressionAttributeValues: { ":pending": "pending" },
    })
    .catch((error) => {
      if (!isConditionFailure(error)) throw error;
    });
}

/** Deletes an object; a failure leaves it behind, reported, and never fails the request. */
async function deleteObject(key: string, what: string): Promise<void> {
  try {
    const { s3 } = await loadS3();
    await s3.remove(key);
  } catch (error) {
    reportLeftover("S3 object left behind", { key, what, error });
  }
}

function badUpload(reason: string): VisibleError {
  return badInput("attachmentUploadId", `"attachmentUploadId" ${reason}.`);
}

function badInput(field: string, message: string, details: Record<string, unknown> = {}): VisibleError {
  return new VisibleError("BAD_USER_INPUT", message, { field, ...details });
}
