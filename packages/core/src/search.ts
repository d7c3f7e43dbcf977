import { createHash } from "node:crypto";
import { decodeTime } from "ulid";
import { leftover } from "./attachment.ts";
import { dynamo, isConditionFailure } from "./dynamo.ts";
import { VisibleError } from "./errors.ts";
import { reservedPartition } from "./table.ts";
import { countCodePoints, firstCodePoints } from "./text.ts";
import { everyTermStartsAWord, wordsOf } from "./words.ts";

export { fold, wordsOf } from "./words.ts";

/**
 * Word-prefix search over the caller's notes (docs/search.md): "group" items, one per note and
 * prefix (1 to 4 characters) of its folded words, in partitions outside every note partition;
 * a search queries its driver word's group newest first and verifies each candidate note.
 */

export const limits = {
  searchMaxChars: 200,
  /** Longest prefix that has its own group items. */
  groupMaxChars: 4,
  /** Words in the content past this many characters are not indexed (the file name always is). */
  indexedContentChars: 10_000,
} as const;

/** The fields of a stored note that search reads. */
export interface SearchableItem {
  noteId: string;
  content: string;
  attachment?: unknown;
}

/** A checked search: its folded words and the hash that binds cursors to it. */
export interface ParsedSearch {
  words: string[];
  hash: string;
}

const PARTITION_KIND = "search";
/** Keys only: a Query on a group reads ~14 items per read unit. */
const MIN_CANDIDATES_PER_QUERY = 25;
/**
 * Candidate notes one page reads at most. Past it the page ends early (see FoundMatches), so a
 * request's work is bounded however rare the matches among the driver group's notes.
 */
export const MAX_CANDIDATES_PER_PAGE = 500;
/** Older than any create in flight (the API times out in seconds), so a missing note is gone for good. */
const LEFTOVER_AFTER_MS = 5 * 60 * 1000;

/** Checks a `search` argument: 1 to 200 characters with at least one word. */
export function parseSearch(search: unknown): ParsedSearch {
  if (typeof search !== "string" || !search.isWellFormed()) {
    throw badSearch('"search" must be a string of Unicode characters.');
  }
  const chars = countCodePoints(search, limits.searchMaxChars);
  if (chars < 1 || chars > limits.searchMaxChars) {
    throw badSearch(`"search" must be 1 to ${limits.searchMaxChars} characters.`);
  }
  const words = [...new Set(wordsOf(search))].sort();
  if (words.length === 0) throw badSearch('"search" must contain at least one word (letters or digits).');
  const hash = createHash("sha256").update(words.join(" ")).digest("base64url").slice(0, 12);
  return { words, hash };
}

/** The groups a note is indexed under: the 1..4-character prefixes of its words. */
export function groupsOf(content: string, fileName: string | null | undefined): Set<string> {
  const groups = new Set<string>();
  const words = new Set([...wordsOf(indexedPart(content)), ...(fileName ? wordsOf(fileName) : [])]);
  for (const word of words) {
    const group = groupOf(word);
    for (let end = 1; end <= group.length; end++) {
      // Never a lone high surrogate: a prefix ends only after a whole code point.
      if (!isHighSurrogate(group.charCodeAt(end - 1))) groups.add(group.slice(0, end));
    }
  }
  return groups;
}

/** The file name of a stored note's attachment, if it has one. */
export function fileNameOf(item: Pick<SearchableItem, "attachment">): string | null {
  const attachment = item.attachment as { fileName?: unknown } | null | undefined;
  return typeof attachment === "object" && attachment !== null && typeof attachment.fileName === "string"
    ? attachment.fileName
    : null;
}

/**
 * Whether every word of the search is a prefix of some word of the note's indexed content (its
 * first 10,000 characters) or file name: a note matches only on what is indexed, so adding a
 * word to a search never finds more notes.
 */
export function matches(item: SearchableItem, search: ParsedSearch): boolean {
  const fileName = fileNameOf(item);
  return everyTermStartsAWord(search.words, new Set([...wordsOf(indexedPart(item.content)), ...(fileName ? wordsOf(fileName) : [])]));
}

/**
 * Outside every user's note partition and unnameable by any caller (table.ts reservedPartition).
 * One-to-one: a group holds no "/" or "~", so the last "/" before it ends the user id.
 */
export function groupPartition(userId: string, group: string): string {
  return reservedPartition(PARTITION_KIND, userId, group);
}

/** A new note's groups, written before the note itself (an item too many is harmless). */
export async function indexNew(userId: string, noteId: string, groups: Iterable<string>): Promise<void> {
  await dynamo.batchWrite(
    [...groups].map((group) => ({ PutRequest: { Item: { userId: groupPartition(userId, group), noteId, v: 1 } } })),
  );
}

/** Adds groups for `version` of a note before that version is written; `v` only ever grows. */
export async function addGroups(userId: string, noteId: string, groups: Iterable<string>, version: number): Promise<void> {
  await Promise.all(
    [...groups].map((group) =>
      ignoreConditionFailure(
        dynamo.update({
          Key: { userId: groupPartition(userId, group), noteId },
          UpdateExpression: "SET v = :v",
          ConditionExpression: "attribute_not_exists(v) OR v < :v",
          ExpressionAttributeValues: { ":v": version },
        }),
      ),
    ),
  );
}

/**
 * Drops groups `version` no longer has, unless a later version has written them again since. After
 * the note's write, so a failure only leaves items that verification filters out: reported, not thrown.
 */
export async function dropGroups(userId: string, noteId: string, groups: Iterable<string>, version: number): Promise<void> {
  const drop = (group: string) =>
    ignoreConditionFailure(
      dynamo.remove({
        Key: { userId: groupPartition(userId, group), noteId },
        ConditionExpression: "v < :v",
        ExpressionAttributeValues: { ":v": version },
      }),
    );
  await leaveBehindOnFailure("words an update dropped", noteId, async () => {
    await Promise.all([...groups].map(drop));
  });
}

/** Removes a deleted note's groups; a failure leaves items a later search removes (reported, not thrown). */
export async function removeAll(userId: string, noteId: string, groups: Iterable<string>): Promise<void> {
  await leaveBehindOnFailure("a deleted note's words", noteId, () =>
    dynamo.batchWrite(
      [...groups].map((group) => ({ DeleteRequest: { Key: { userId: groupPartition(userId, group), noteId } } })),
    ),
  );
}

async function leaveBehindOnFailure(what: string, noteId: string, write: () => Promise<void>): Promise<void> {
  try {
    await write();
  } catch (error) {
    leftover("search index items left behind", { what, noteId, error });
  }
}

/** What one page's search found. */
export interface FoundMatches<T> {
  /** Matches, newest first: `wanted` of them unless fewer remain or the page stopped early. */
  items: T[];
  /**
   * Set when the page read MAX_CANDIDATES_PER_PAGE candidates before finding `wanted` matches:
   * the id of the last candidate examined, below which the search continues (more may match).
   */
  stoppedAt?: string;
}

/**
 * Up to `wanted` matching note items with ids below `afterId`, newest first: the driver word's
 * group queried page by page, each candidate read and verified, until enough match, none remain,
 * or MAX_CANDIDATES_PER_PAGE candidates were read (then `stoppedAt` says where to go on).
 */
export async function findMatches<T extends SearchableItem>(
  userId: string,
  search: ParsedSearch,
  wanted: number,
  afterId: string | undefined,
  maxCandidates = MAX_CANDIDATES_PER_PAGE,
): Promise<FoundMatches<T>> {
  const driver = driverOf(search.words);
  const partition = groupPartition(userId, groupOf(driver));
  const found: T[] = [];
  let candidates: string[] = [];
  let startKey: Record<string, unknown> | undefined;
  let exhausted = false;
  let examined = 0;
  let lastExamined: string | undefined;
  while (found.length < wanted) {
    const done = exhausted && candidates.length === 0;
    if (examined >= maxCandidates && !done) return { items: found, stoppedAt: lastExamined };
    const needed = Math.min(wanted - found.length, maxCandidates - examined);
    if (candidates.length === 0) {
      if (exhausted) break;
      const { Items = [], LastEvaluatedKey } = await dynamo.query({
        KeyConditionExpression: afterId ? "userId = :p AND noteId < :after" : "userId = :p",
        ExpressionAttributeValues: afterId ? { ":p": partition, ":after": afterId } : { ":p": partition },
        ProjectionExpression: "noteId",
        ScanIndexForward: false,
        ConsistentRead: true,
        Limit: Math.max(needed, MIN_CANDIDATES_PER_QUERY),
        ExclusiveStartKey: startKey,
      });
      candidates = Items.map((item) => item.noteId as string);
      startKey = LastEvaluatedKey;
      exhausted = LastEvaluatedKey === undefined;
      continue;
    }
    const batch = candidates.splice(0, needed);
    examined += batch.length;
    lastExamined = batch.at(-1);
    const items = await dynamo.batchGet(
      batch.map((noteId) => ({ userId, noteId })),
      { consistentRead: true },
    );
    const byId = new Map(items.map((item) => [item.noteId as string, item as unknown as T]));
    const gone: string[] = [];
    for (const noteId of batch) {
      const item = byId.get(noteId);
      if (!item) {
        if (decodeTime(noteId) < Date.now() - LEFTOVER_AFTER_MS) gone.push(noteId);
      }
      else if (matches(item, search)) found.push(item);
    }
    // A group item of a note that no longer exists (and is not being created) is a leftover of an
    // interrupted create or delete: removed here so it costs no further reads.
    if (gone.length > 0) {
      await dynamo
        .batchWrite(gone.map((noteId) => ({ DeleteRequest: { Key: { userId: partition, noteId } } })))
        .catch((error) => leftover("search index items left behind", { what: "items of deleted notes", error }));
    }
  }
  return { items: found };
}

/** The word whose group is most selective: the longest indexed prefix, then the longest word. */
function driverOf(words: readonly string[]): string {
  const length = (word: string) => countCodePoints(word, limits.searchMaxChars);
  const indexed = (word: string) => Math.min(length(word), limits.groupMaxChars);
  return words.reduce((best, word) =>
    indexed(word) > indexed(best) || (indexed(word) === indexed(best) && length(word) > length(best)) ? word : best,
  );
}

/** The longest group a word is indexed under: its first 4 code points. */
function groupOf(word: string): string {
  return firstCodePoints(word, limits.groupMaxChars);
}

function isHighSurrogate(code: number): boolean {
  return code >= 0xd800 && code <= 0xdbff;
}

/** The start of the content that is indexed: its first 10,000 characters (code points). */
function indexedPart(content: string): string {
  return firstCodePoints(content, limits.indexedContentChars);
}

async function ignoreConditionFailure(write: Promise<unknown>): Promise<void> {
  try {
    await write;
  } catch (error) {
    if (!isConditionFailure(error)) throw error;
  }
}

function badSearch(message: string): VisibleError {
  return new VisibleError("BAD_USER_INPUT", message, { field: "search" });
}
