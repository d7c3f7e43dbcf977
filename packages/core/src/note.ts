import * as Attachment from "./attachment.ts";
import { dynamo, isConditionFailure } from "./dynamo.ts";
import { VisibleError } from "./errors.ts";
import * as Search from "./search.ts";
import { isUlid, nextUlid } from "./ids.ts";
import { countCodePoints, isOnlyWhitespace } from "./text.ts";

/** A note as the domain sees it; `id` is a ULID, so ids sort by creation time. */
export interface Note {
  id: string;
  content: string;
  attachment: Attachment.Attachment | null;
  createdAt: string;
  updatedAt: string;
  version: number;
}

export interface CreateInput {
  content: string;
  /** An upload from Attachment.createUpload, to attach. */
  attachmentUploadId?: string | number | null;
}

export interface UpdateInput {
  id: string;
  /** Omitted: unchanged. */
  content?: string | null;
  /** Omitted: unchanged; null: the attachment is removed; an upload id: it replaces the attachment. */
  attachmentUploadId?: string | number | null;
  /** When given, the update applies only if the stored version is this one. */
  expectedVersion?: number | null;
}

export interface ListInput {
  first?: number | null;
  after?: string | null;
  /** Only notes matching these words (Search); cursors are then bound to the search. */
  search?: string | null;
}

export interface Page {
  notes: Note[];
  hasNextPage: boolean;
  endCursor: string | null;
  /** Binds the page's cursors to the search it answers (cursorFor); absent for a plain listing. */
  searchHash?: string;
}

export const limits = {
  contentMaxChars: 50_000,
  pageSizeMax: 100,
  pageSizeDefault: 20,
} as const;

interface NoteItem {
  userId: string;
  noteId: string;
  content: string;
  /** Before attachments were files this was free text; such values read as no attachment. */
  attachment?: Attachment.Attachment | string | null;
  createdAt: string;
  updatedAt: string;
  version: number;
}

const CURSOR_PREFIX = "note:";
const SEARCH_CURSOR_PREFIX = "search:";
/** Attempts at an update without expectedVersion that keeps meeting a concurrent one (the last always writes). */
const UPDATE_ATTEMPTS = 3;

export async function create(userId: string, input: CreateInput): Promise<Note> {
  checkContent(input.content);
  const now = Date.now();
  const noteId = nextUlid(now);
  // The file is copied before the note exists, so the note never points at a missing file.
  const claim = input.attachmentUploadId == null ? null : await Attachment.claim(userId, noteId, input.attachmentUploadId);
  const timestamp = new Date(now).toISOString();
  try {
    // Before the note: a search never misses it once it exists (docs/search.md "Writes").
    await Search.indexNew(userId, noteId, Search.groupsOf(input.content, claim?.attachment.fileName));
  } catch (error) {
    await claim?.release();
    throw error;
  }
  const item: NoteItem = {
    userId,
    noteId,
    content: input.content,
    attachment: claim?.attachment,
    createdAt: timestamp,
    updatedAt: timestamp,
    version: 1,
  };
  try {
    // The condition makes an id collision fail loudly instead of overwriting a note.
    await dynamo.put({ Item: item, ConditionExpression: "attribute_not_exists(noteId)" });
  } catch (error) {
    await claim?.release();
    throw error;
  }
  await claim?.complete();
  return fromItem(item);
}

export async function get(userId: string, id: string): Promise<Note | null> {
  if (!isUlid(id)) return null;
  const { Item } = await dynamo.get({ Key: { userId, noteId: id } });
  return Item ? fromItem(Item as NoteItem) : null;
}

/** One page of the caller's notes, newest first: a Query on their partition, never a Scan. */
export async function list(userId: string, input: ListInput = {}): Promise<Page> {
  const first = input.first ?? limits.pageSizeDefault;
  if (!Number.isInteger(first) || first < 1 || first > limits.pageSizeMax) {
    throw new VisibleError(
      "BAD_USER_INPUT",
      `"first" must be between 1 and ${limits.pageSizeMax}.`,
      { field: "first" },
    );
  }
  if (input.search != null) return searchPage(userId, first, input.after, input.search);
  const after = input.after == null ? undefined : decodeCursor(input.after);
  const { Items = [], LastEvaluatedKey } = await dynamo.query({
    KeyConditionExpression: after ? "userId = :u AND noteId < :after" : "userId = :u",
    ExpressionAttributeValues: after ? { ":u": userId, ":after": after } : { ":u": userId },
    ScanIndexForward: false,
    // One extra item tells whether another page exists without a second round trip.
    Limit: first + 1,
  });
  const notes = Items.slice(0, first).map((item) => fromItem(item as NoteItem));
  const last = notes.at(-1);
  return {
    notes,
    // DynamoDB also ends a page after 1 MB read: then LastEvaluatedKey says more may follow.
    hasNextPage: Items.length > first || (LastEvaluatedKey !== undefined && notes.length > 0),
    endCursor: last ? cursorFor(last) : null,
  };
}

/**
 * A page of the caller's notes that match `search`: full, newest first (docs/search.md). Only a
 * page that hit the per-page read bound is short: it has a next page, and its end cursor is the
 * last note it examined (matching or not), so paging goes on from there.
 */
async function searchPage(userId: string, first: number, after: string | null | undefined, search: string): Promise<Page> {
  const parsed = Search.parseSearch(search);
  const afterId = after == null ? undefined : decodeCursor(after, searchCursorPrefix(parsed.hash));
  const { items, stoppedAt } = await Search.findMatches<NoteItem>(userId, parsed, first + 1, afterId);
  const notes = items.slice(0, first).map(fromItem);
  const end = stoppedAt ?? notes.at(-1)?.id;
  return {
    notes,
    hasNextPage: stoppedAt !== undefined || items.length > first,
    endCursor: end ? cursorFor({ id: end }, parsed.hash) : null,
    searchHash: parsed.hash,
  };
}

export async function update(userId: string, input: UpdateInput): Promise<Note> {
  if (input.content === undefined && input.attachmentUploadId === undefined) {
    throw new VisibleError("BAD_USER_INPUT", "Give content or attachmentUploadId to update.");
  }
  if (input.content !== undefined) checkContent(input.content);
  const expected = input.expectedVersion;
  // Any integer is a version the caller may believe in; 0 or -1 is never the stored one, so, like
  // every other wrong version, it is a CONFLICT (SPEC), decided by the condition below.
  if (expected != null && !Number.isSafeInteger(expected)) {
    throw new VisibleError("BAD_USER_INPUT", '"expectedVersion" must be an integer.', {
      field: "expectedVersion",
    });
  }
  if (!isUlid(input.id)) throw notFound();

  const names: Record<string, string> = { "#version": "version", "#updatedAt": "updatedAt" };
  const values: Record<string, unknown> = { ":one": 1, ":now": new Date().toISOString() };
  const set = ["#version = #version + :one", "#updatedAt = :now"];
  const remove: string[] = [];
  if (input.content != null) {
    names["#content"] = "content";
    values[":content"] = input.content;
    set.push("#content = :content");
  }
  // The new file is copied before the note's write and given back if that write fails.
  const claim =
    input.attachmentUploadId == null ? null : await Attachment.claim(userId, input.id, input.attachmentUploadId);
  if (input.attachmentUploadId !== undefined) {
    names["#attachment"] = "attachment";
    if (claim === null) remove.push("#attachment");
    else {
      values[":attachment"] = claim.attachment;
      set.push("#attachment = :attachment");
    }
  }
  const withChanges = (item: NoteItem): NoteItem => ({
    ...item,
    content: input.content ?? item.content,
    attachment: input.attachmentUploadId === undefined ? item.attachment : claim?.attachment,
    version: item.version + 1,
    updatedAt: values[":now"] as string,
  });
  const groupsOf = (item: NoteItem) => Search.groupsOf(item.content, attachmentOf(item)?.fileName);
  let written: { previous: NoteItem; updated: NoteItem; dropped: string[] } | undefined;
  try {
    for (let attempt = 1; !written; attempt++) {
      // The version read is the one written over: the search index's diff is computed against it.
      const seen = (await dynamo.get({ Key: { userId, noteId: input.id }, ConsistentRead: true })).Item as NoteItem | undefined;
      if (!seen) throw notFound();
      if (expected != null && seen.version !== expected) throw conflict(expected, seen.version);
      // Without expectedVersion, an update that keeps losing races finally writes over whatever is
      // stored, as updates always may, and indexes right after (docs/search.md "Writes").
      const last = expected == null && attempt === UPDATE_ATTEMPTS;
      if (!last) await Search.addGroups(userId, input.id, added(groupsOf(seen), groupsOf(withChanges(seen))), seen.version + 1);
      if (last) delete values[":seen"];
      else values[":seen"] = seen.version;
      try {
        // ALL_NEW would hide which file the note pointed at before; the old item tells what to delete.
        const { Attributes } = await dynamo.update({
          Key: { userId, noteId: input.id },
          UpdateExpression: `SET ${set.join(", ")}${remove.length ? ` REMOVE ${remove.join(", ")}` : ""}`,
          ConditionExpression: last ? "attribute_exists(noteId)" : "#version = :seen",
          ExpressionAttributeNames: names,
          ExpressionAttributeValues: values,
          ReturnValues: "ALL_OLD",
        });
        const previous = Attributes as NoteItem;
        const updated = withChanges(previous);
        if (last) await Search.addGroups(userId, input.id, added(groupsOf(previous), groupsOf(updated)), updated.version);
        written = { previous, updated, dropped: added(groupsOf(updated), groupsOf(previous)) };
      } catch (error) {
        // Changed or deleted since the read: read again, unless the caller pinned a version.
        if (!isConditionFailure(error)) throw error;
        if (last) throw notFound();
        if (expected != null) {
          const current = (await dynamo.get({ Key: { userId, noteId: input.id } })).Item as NoteItem | undefined;
          if (!current) throw notFound();
          throw conflict(expected, current.version);
        }
      }
    }
  } catch (error) {
    await claim?.release();
    throw error;
  }
  const { previous, updated, dropped } = written;
  await Search.dropGroups(userId, input.id, dropped, updated.version);
  await claim?.complete();
  // Only once the note points elsewhere is the old file deleted.
  if (input.attachmentUploadId !== undefined) await Attachment.discard(attachmentOf(previous));
  return fromItem(updated);
}

/** Deletes the caller's note and returns it as it was. */
export async function remove(userId: string, id: string): Promise<Note> {
  if (!isUlid(id)) throw notFound();
  let deleted: NoteItem;
  try {
    const { Attributes } = await dynamo.remove({
      Key: { userId, noteId: id },
      ConditionExpression: "attribute_exists(noteId)",
      ReturnValues: "ALL_OLD",
    });
    deleted = Attributes as NoteItem;
  } catch (error) {
    if (isConditionFailure(error)) throw notFound();
    throw error;
  }
  // The note is gone first, so a failure here leaves at worst an unreferenced file.
  await Search.removeAll(userId, id, Search.groupsOf(deleted.content, attachmentOf(deleted)?.fileName));
  await Attachment.discard(attachmentOf(deleted));
  return fromItem(deleted);
}

/**
 * Opaque to clients; only ever compared inside the caller's own partition. A search page's
 * cursors carry its search's hash (Page.searchHash), so they are refused with another search or none.
 */
export function cursorFor(note: Pick<Note, "id">, searchHash?: string | null): string {
  const prefix = searchHash == null ? CURSOR_PREFIX : searchCursorPrefix(searchHash);
  return Buffer.from(prefix + note.id).toString("base64url");
}

function searchCursorPrefix(hash: string): string {
  return `${SEARCH_CURSOR_PREFIX}${hash}:`;
}

function decodeCursor(cursor: string, prefix = CURSOR_PREFIX): string {
  const decoded = cursor.length <= 96 ? Buffer.from(cursor, "base64url").toString("utf8") : "";
  const id = decoded.startsWith(prefix) ? decoded.slice(prefix.length) : "";
  if (!isUlid(id) || Buffer.from(prefix + id).toString("base64url") !== cursor) {
    throw new VisibleError("BAD_USER_INPUT", '"after" is not a cursor from this API.', {
      field: "after",
    });
  }
  return id;
}

function notFound(): VisibleError {
  return new VisibleError("NOT_FOUND", "Note not found.");
}

/** The groups of `to` that `from` lacks. */
function added(from: Set<string>, to: Set<string>): string[] {
  return [...to].filter((group) => !from.has(group));
}

function conflict(expected: number, current: number): VisibleError {
  return new VisibleError("CONFLICT", `Note was changed since version ${expected}; it is at version ${current}.`, {
    currentVersion: current,
  });
}

function checkContent(content: string | null | undefined): asserts content is string {
  if (typeof content !== "string") {
    throw new VisibleError("BAD_USER_INPUT", '"content" must be a string.', { field: "content" });
  }
  checkText("content", content, limits.contentMaxChars);
  if (isOnlyWhitespace(content)) {
    throw new VisibleError("BAD_USER_INPUT", '"content" must not be empty or only whitespace.', {
      field: "content",
    });
  }
}

/** Length is counted in Unicode characters (code points), so an emoji counts as one. */
function checkText(field: string, value: string, max: number): void {
  // UTF-16 length is an upper bound on code points: only long strings need counting.
  const chars = countCodePoints(value, max);
  if (chars > max) {
    throw new VisibleError("BAD_USER_INPUT", `"${field}" must be at most ${max} characters.`, {
      field,
      max,
    });
  }
  if (!value.isWellFormed()) {
    throw new VisibleError("BAD_USER_INPUT", `"${field}" contains unpaired UTF-16 surrogates.`, {
      field,
    });
  }
}

function fromItem(item: NoteItem): Note {
  return {
    id: item.noteId,
    content: item.content,
    attachment: attachmentOf(item),
    createdAt: item.createdAt,
    updatedAt: item.updatedAt,
    version: item.version,
  };
}

function attachmentOf(item: NoteItem): Attachment.Attachment | null {
  return typeof item.attachment === "object" && item.attachment !== null ? item.attachment : null;
}
