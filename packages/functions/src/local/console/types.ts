import type { Invocation } from "../invocation.ts";
import type { MetricValue } from "./emf.ts";

/** The console's data endpoints' answers: the page (packages/web/console) reads exactly these. */
export type InvocationSummary = Omit<Invocation, "logLines" | "request">;

export interface InvocationDetail extends Invocation {
  /** The invocation's log lines, its metric (EMF) lines left out: those are `metrics`. */
  logLines: string[];
  metrics: MetricValue[];
}

/** Server-sent events on /console/api/events. */
export type ConsoleEvent = { type: "snapshot"; invocations: InvocationSummary[] } | { type: "invocation"; invocation: InvocationSummary };

export interface NoteView {
  userId: string;
  noteId: string;
  content: string;
  version: number;
  createdAt: string;
  updatedAt: string;
  attachment: { fileName: string; contentType: string; size: number; key: string } | null;
}

export interface ItemsView {
  notesByUser: { userId: string; notes: NoteView[] }[];
  pendingUploads: Record<string, unknown>[];
  otherItems: Record<string, unknown>[];
}

export interface FileView {
  key: string;
  size: number;
  contentType: string | null;
  lastModified: string | null;
  /** A short-lived download link on the local S3. */
  url: string;
  kind: "attachment" | "upload" | "other";
  /** From the key layout attachments/<user>/<noteId>/<uploadId>. */
  noteId: string | null;
  /** The user segment of the key: the user's id, or a hash of it when the id is not URL-safe. */
  userSegment: string | null;
}

export interface UserView {
  username: string;
  email: string | null;
  sub: string | null;
  status: string;
  confirmed: boolean;
  createdAt: string | null;
}

/** Every refusal and failure of the data endpoints: a stable code and a sentence. */
export interface ConsoleError {
  error: { code: string; message: string };
}
