import { createHash } from "node:crypto";
import { decodeTime } from "ulid";
import { leftover } from "./attachment.ts";
import { dynamo, isConditionFailure } from "./dynamo.ts";
import { VisibleError } from "./errors.ts";
import { reservedPartition } from "./table.ts";
import { countCodePoints, firstCodePoints } from "./text.ts";
import { everyTermStartsAWord, wordsOf } from "./words.ts";

/**
 * Word-prefix search over the caller's notes (docs/search.md): "group" items, one per note and
 * prefix (1 to 4 characters) of its folded words, in partitions outside every note partition;
 * a search walks its words' groups together newest first, intersects them (GroupWalk) and verifies
 * each candidate note.
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
 * request's work is bounded however rare the matches among the candidates.
 */
export const MAX_CANDIDATES_PER_PAGE = 500;
/** Index Queries one page makes at most (keys only, up to ~4 read units each). */
export const MAX_QUERIES_PER_PAGE = 200;
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
   * Set when the page reached its bound of work (MAX_CANDIDATES_PER_PAGE note reads or
   * MAX_QUERIES_PER_PAGE index queries) first: an id below which the search continues (exclusive),
   * everything above it having been examined. More may match.
   */
  stoppedAt?: string;
}

/**
 * Up to `wanted` matching note items with ids below `afterId`, newest first: the search words'
 * group partitions walked together in id order, keys only, and intersected (GroupWalk); each note
 * in all of them is read and verified, until enough match, none remain, or the bound is reached.
 */
export async function findMatches<T extends SearchableItem>(
  userId: string,
  search: ParsedSearch,
  wanted: number,
  afterId: string | undefined,
  { maxCandidates = MAX_CANDIDATES_PER_PAGE, maxQueries = MAX_QUERIES_PER_PAGE } = {},
): Promise<FoundMatches<T>> {
  const partitions = groupsToWalk(search.words).map((group) => groupPartition(userId, group));
  const walk = new GroupWalk(partitions, afterId, maxQueries);
  const found: T[] = [];
  let examined = 0;
  while (found.length < wanted && !walk.done) {
    if (examined >= maxCandidates || walk.spent()) return { items: found, stoppedAt: walk.resumeBelow() };
    const needed = Math.min(wanted - found.length, maxCandidates - examined);
    const batch: string[] = [];
    while (batch.length < needed && !walk.spent()) {
      const noteId = await walk.next(Math.max(needed, MIN_CANDIDATES_PER_QUERY));
      if (noteId === null) break;
      batch.push(noteId);
    }
    if (batch.length === 0) continue;
    examined += batch.length;
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
        .batchWrite(gone.flatMap((noteId) => partitions.map((partition) => ({ DeleteRequest: { Key: { userId: partition, noteId } } }))))
        .catch((error) => leftover("search index items left behind", { what: "items of deleted notes", error }));
    }
  }
  return { items: found };
}

/**
 * The groups whose partitions a search walks: each word's longest group, without a group that is
 * a prefix of another (its notes include the longer one's: "the" holds every note of "ther").
 */
function groupsToWalk(words: readonly string[]): string[] {
  const groups = [...new Set(words.map(groupOf))];
  return groups.filter((group) => !groups.some((other) => other !== group && other.startsWith(group)));
}

/**
 * The note ids present in every one of some group partitions, newest first (a zig-zag join): each
 * partition is read keys only, and when one is behind the others it is sought straight to the
 * current candidate with a new Query (`noteId <= :candidate`) instead of paged through. The work
 * follows the rarest partition: a common word costs a Query per candidate of the rare one at most.
 */
class GroupWalk {
  /** Index Queries made so far. */
  queries = 0;
  done = false;
  private readonly cursors: PartitionCursor[];
  /** The newest id not yet decided (every id above it is), or undefined right after a yield. */
  private target: string | undefined;
  private lastYielded: string | undefined;

  constructor(
    partitions: string[],
    private readonly afterId: string | undefined,
    private readonly maxQueries: number,
  ) {
    this.cursors = partitions.map((partition) => ({ partition, ids: [], below: afterId, inclusive: false, exhausted: false }));
  }

  /** The next id in every partition, or null when none remains or the work is spent (`done` tells). */
  async next(limit: number): Promise<string | null> {
    for (;;) {
      let moved = false;
      for (const cursor of this.cursors) {
        if (this.spent()) return null;
        const head = await this.seek(cursor, limit);
        if (head === undefined) return null;
        if (head === null) {
          this.done = true;
          return null;
        }
        if (this.target === undefined || head < this.target) {
          moved = moved || this.target !== undefined || this.cursors.length > 1;
          this.target = head;
        }
      }
      if (!moved) {
        const id = this.target!;
        for (const cursor of this.cursors) cursor.ids.shift();
        this.target = undefined;
        this.lastYielded = id;
        return id;
      }
    }
  }

  /** Whether the page's Queries are used up; never before it has got past `afterId`, so paging always moves on. */
  spent(): boolean {
    return this.queries >= this.maxQueries && this.resumeBelow() !== this.afterId;
  }

  /** Where a stopped page resumes: below every id decided so far (exclusive). */
  resumeBelow(): string | undefined {
    return this.target !== undefined ? ulidJustAbove(this.target) : (this.lastYielded ?? this.afterId);
  }

  /**
   * The cursor's newest id at or below the target (any, without one), null when none is left, or
   * undefined when finding out would take a Query more than the page may make.
   */
  private async seek(cursor: PartitionCursor, limit: number): Promise<string | null | undefined> {
    const target = this.target;
    for (;;) {
      while (cursor.ids.length > 0 && target !== undefined && cursor.ids[0]! > target) cursor.ids.shift();
      if (cursor.ids.length > 0) return cursor.ids[0]!;
      if (cursor.exhausted) return null;
      if (this.spent()) return undefined;
      // Seek straight to the target when it lies below what was read: skipped ids cost nothing.
      if (target !== undefined && (cursor.below === undefined || target < cursor.below)) {
        cursor.below = target;
        cursor.inclusive = true;
      }
      this.queries++;
      const { Items = [], LastEvaluatedKey } = await dynamo.query({
        KeyConditionExpression: cursor.below === undefined ? "userId = :p" : `userId = :p AND noteId ${cursor.inclusive ? "<=" : "<"} :below`,
        ExpressionAttributeValues: cursor.below === undefined ? { ":p": cursor.partition } : { ":p": cursor.partition, ":below": cursor.below },
        ProjectionExpression: "noteId",
        ScanIndexForward: false,
        ConsistentRead: true,
        Limit: limit,
      });
      cursor.ids = Items.map((item) => item.noteId as string);
      const last = cursor.ids.at(-1) ?? (LastEvaluatedKey?.noteId as string | undefined);
      if (last !== undefined) {
        cursor.below = last;
        cursor.inclusive = false;
      }
      cursor.exhausted = LastEvaluatedKey === undefined;
    }
  }
}

interface PartitionCursor {
  partition: string;
  /** Ids read and not yet passed, newest first. */
  ids: string[];
  /** Ids from here down are unread (`inclusive`: this one too); undefined: from the top. */
  below: string | undefined;
  inclusive: boolean;
  exhausted: boolean;
}

const CROCKFORD = "0123456789ABCDEFGHJKMNPQRSTVWXYZ";

/** The smallest ULID above `id`, so `noteId < ulidJustAbove(id)` includes `id`. */
function ulidJustAbove(id: string): string {
  const chars = [...id];
  for (let i = chars.length - 1; i >= 0; i--) {
    const next = CROCKFORD.indexOf(chars[i]!) + 1;
    if (next < CROCKFORD.length) {
      chars[i] = CROCKFORD[next]!;
      return chars.join("");
    }
    chars[i] = "0";
  }
  return id;
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
