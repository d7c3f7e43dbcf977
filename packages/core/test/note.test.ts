import { decodeTime } from "ulid";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { VisibleError } from "../src/errors.ts";
import * as Note from "../src/note.ts";
import { useEmbeddedTable } from "./embedded-table.ts";
import { ISO_UTC_MILLIS, ULID_SHAPE, allNotes, expectVisibleError, newUser } from "./note-helpers.ts";

let db: Awaited<ReturnType<typeof useEmbeddedTable>>;
beforeAll(async () => {
  db = await useEmbeddedTable();
});
afterAll(async () => {
  await db?.close();
});

const MAX_CONTENT = Note.limits.contentMaxChars;
const EMOJI = "😀"; // one code point, two UTF-16 units

/** Asserts that a create is refused with BAD_USER_INPUT and leaves the user's partition empty. */
async function expectCreateRefused(input: Note.CreateInput): Promise<VisibleError> {
  const userId = newUser();
  const error = await expectVisibleError(Note.create(userId, input), "BAD_USER_INPUT");
  expect(await allNotes(userId)).toEqual([]);
  return error;
}

/** Asserts that a create succeeds and stores exactly what was given. */
async function expectCreateAccepted(input: Note.CreateInput): Promise<Note.Note> {
  const userId = newUser();
  const note = await Note.create(userId, input);
  expect(note.content).toBe(input.content);
  expect(await Note.get(userId, note.id)).toEqual(note);
  return note;
}

/** Asserts that an update is refused with `code` and the stored note is exactly as before. */
async function expectUpdateRefused(
  userId: string,
  input: Note.UpdateInput,
  code: "BAD_USER_INPUT" | "NOT_FOUND" | "CONFLICT",
): Promise<VisibleError> {
  const before = await Note.get(userId, input.id);
  const error = await expectVisibleError(Note.update(userId, input), code);
  expect(await Note.get(userId, input.id)).toEqual(before);
  return error;
}

async function ownedNote(content = "original") {
  const userId = newUser();
  const note = await Note.create(userId, { content });
  return { userId, note };
}

describe("Note.create", () => {
  it("returns a ULID id, version 1, equal ISO-8601 UTC timestamps and a null attachment", async () => {
    const before = Date.now();
    const userId = newUser();
    const note = await Note.create(userId, { content: "hello" });
    const after = Date.now();

    expect(note.id).toMatch(ULID_SHAPE);
    expect(note.id).toHaveLength(26);
    expect(note.version).toBe(1);
    expect(note.content).toBe("hello");
    expect(note.attachment).toBeNull();
    expect(note.createdAt).toMatch(ISO_UTC_MILLIS);
    expect(new Date(note.createdAt).toISOString()).toBe(note.createdAt);
    expect(note.updatedAt).toBe(note.createdAt);
    const created = Date.parse(note.createdAt);
    expect(created).toBeGreaterThanOrEqual(before);
    expect(created).toBeLessThanOrEqual(after);
    // The id's time component is the creation time, which is what makes ids sort by age.
    expect(decodeTime(note.id)).toBe(created);
  });

  it("stores the note so that get returns it unchanged", async () => {
    const userId = newUser();
    const note = await Note.create(userId, { content: "stored" });
    expect(await Note.get(userId, note.id)).toEqual(note);
    expect(await allNotes(userId)).toEqual([note]);
  });

  it("treats an explicit null attachmentUploadId like an omitted one", async () => {
    const userId = newUser();
    const note = await Note.create(userId, { content: "x", attachmentUploadId: null });
    expect(note.attachment).toBeNull();
    expect((await Note.get(userId, note.id))?.attachment).toBeNull();
  });

  it("gives strictly increasing ids to notes created in a tight loop", async () => {
    const userId = newUser();
    // Started without awaiting in between, so many ids share one millisecond.
    const notes = await Promise.all(
      Array.from({ length: 200 }, (_, i) => Note.create(userId, { content: `n${i}` })),
    );
    const ids = notes.map((note) => note.id);
    for (let i = 1; i < ids.length; i++) expect(ids[i]! > ids[i - 1]!).toBe(true);
    expect(new Set(ids).size).toBe(200);
    const sameMillisecond = ids.filter((id, i) => i > 0 && decodeTime(id) === decodeTime(ids[i - 1]!));
    expect(sameMillisecond.length).toBeGreaterThan(0);
    // Newest first means the reverse of creation order.
    expect((await allNotes(userId)).map((note) => note.id)).toEqual([...ids].reverse());
  });

  describe("content validation", () => {
    it.each([
      ["empty", ""],
      ["only whitespace", "   \n\t"],
      ["only non-ASCII whitespace", "\u00A0\u2003\u3000\u2028"],
      ["50,000 spaces", " ".repeat(MAX_CONTENT)],
    ])("refuses %s content", async (_, content) => {
      const error = await expectCreateRefused({ content });
      expect(error.details?.field).toBe("content");
    });

    it("accepts a single character", async () => {
      await expectCreateAccepted({ content: "a" });
    });

    it("accepts exactly 50,000 characters", async () => {
      await expectCreateAccepted({ content: "a".repeat(MAX_CONTENT) });
    });

    it("refuses 50,001 characters", async () => {
      const error = await expectCreateRefused({ content: "a".repeat(MAX_CONTENT + 1) });
      expect(error.details?.field).toBe("content");
    });

    it("counts emoji as one character each: 50,000 emoji accepted", async () => {
      const content = EMOJI.repeat(MAX_CONTENT);
      expect(content.length).toBe(2 * MAX_CONTENT);
      await expectCreateAccepted({ content });
    });

    it("refuses 50,001 emoji", async () => {
      await expectCreateRefused({ content: EMOJI.repeat(MAX_CONTENT + 1) });
    });

    it("accepts 49,999 letters plus one emoji (50,001 UTF-16 units, 50,000 characters)", async () => {
      await expectCreateAccepted({ content: "a".repeat(MAX_CONTENT - 1) + EMOJI });
    });

    it.each([
      ["a lone high surrogate", "\uD800"],
      ["a lone low surrogate", "a\uDC00b"],
      ["a reversed pair", "\uDE00\uD83D"],
    ])("refuses %s", async (_, content) => {
      await expectCreateRefused({ content });
    });

    it("refuses a non-string content", async () => {
      await expectCreateRefused({ content: null as unknown as string });
      await expectCreateRefused({ content: 42 as unknown as string });
    });
  });

  it.each([
    ["not an upload id", "upload-1"],
    ["a well-formed id no upload has", "01ARZ3NDEKTSV4RRFFQ69G5FAV"],
    ["a number", 42],
  ])("refuses an attachmentUploadId that is %s, writing nothing", async (_, attachmentUploadId) => {
    const error = await expectCreateRefused({ content: "x", attachmentUploadId });
    expect(error.details?.field).toBe("attachmentUploadId");
  });

  describe("odd Unicode round-trips byte-exact", () => {
    it.each([
      ["right-to-left override", "abc\u202Edef\u202C ghi"],
      ["NUL characters", "before\u0000after\u0000"],
      ["ZWJ emoji sequences", "👨‍👩‍👧‍👦 🏳️‍🌈 👩🏽‍💻"],
      ["combining marks", "e\u0301 a\u0308 Z\u0335\u0321\u0334\u0327\u0310"],
      ["mixed scripts and controls", "שלום مرحبا 你好 \u200B\uFEFF\r\n\u001B[31m"],
      ["precomposed vs decomposed", "\u00E9 e\u0301"],
    ])("%s", async (_, content) => {
      const userId = newUser();
      const note = await Note.create(userId, { content });
      const stored = await Note.get(userId, note.id);
      expect(stored?.content).toBe(content);
      expect(Buffer.from(stored!.content, "utf8").equals(Buffer.from(content, "utf8"))).toBe(true);
      expect((await allNotes(userId))[0]?.content).toBe(content);
    });
  });
});

describe("Note.get", () => {
  it("returns null for a well-formed id that does not exist", async () => {
    const { userId } = await ownedNote();
    expect(await Note.get(userId, "01ARZ3NDEKTSV4RRFFQ69G5FAV")).toBeNull();
  });

  it.each([
    ["empty", ""],
    ["not a ULID", "not-a-ulid"],
    ["lowercase", "01arz3ndektsv4rrffq69g5fav"],
    ["beyond the ULID range", "8ZZZZZZZZZZZZZZZZZZZZZZZZZ"],
    ["2,000 characters", "x".repeat(2000)],
  ])(
    "returns null for a malformed id (%s)",
    async (_, id) => {
      const { userId } = await ownedNote();
      expect(await Note.get(userId, id)).toBeNull();
    },
  );

  it("returns null for another user's note, exactly as for a missing one", async () => {
    const { note } = await ownedNote();
    expect(await Note.get(newUser(), note.id)).toBeNull();
  });
});

describe("Note.update", () => {
  it("changes only the content when only content is given", async () => {
    const { userId, note } = await ownedNote("old");
    const updated = await Note.update(userId, { id: note.id, content: "new" });
    expect(updated).toMatchObject({ id: note.id, content: "new", attachment: null, version: 2 });
    expect(await Note.get(userId, note.id)).toEqual(updated);
  });

  it("removes no attachment and still counts a version when attachmentUploadId is null on a note without one", async () => {
    const { userId, note } = await ownedNote("keep");
    const updated = await Note.update(userId, { id: note.id, attachmentUploadId: null });
    expect(updated).toMatchObject({ content: "keep", attachment: null, version: 2 });
    expect(await Note.get(userId, note.id)).toEqual(updated);
  });

  it("increments the version by one on every update", async () => {
    const { userId, note } = await ownedNote();
    const versions: number[] = [];
    for (let i = 0; i < 4; i++) {
      versions.push((await Note.update(userId, { id: note.id, content: `v${i}` })).version);
    }
    expect(versions).toEqual([2, 3, 4, 5]);
    expect((await Note.get(userId, note.id))?.version).toBe(5);
  });

  it("moves updatedAt forward and leaves createdAt and id alone", async () => {
    const { userId, note } = await ownedNote();
    // The update must come in a later millisecond than the create: wait for the clock to get there.
    while (Date.now() <= Date.parse(note.updatedAt)) await new Promise((resolve) => setImmediate(resolve));
    const updated = await Note.update(userId, { id: note.id, content: "later" });
    expect(updated.id).toBe(note.id);
    expect(updated.createdAt).toBe(note.createdAt);
    expect(updated.updatedAt).toMatch(ISO_UTC_MILLIS);
    expect(updated.updatedAt).not.toBe(note.updatedAt);
    expect(Date.parse(updated.updatedAt)).toBeGreaterThan(Date.parse(note.updatedAt));
  });

  it("applies the update when expectedVersion matches the stored version", async () => {
    const { userId, note } = await ownedNote();
    const v2 = await Note.update(userId, { id: note.id, content: "second", expectedVersion: 1 });
    const v3 = await Note.update(userId, { id: note.id, content: "third", expectedVersion: 2 });
    expect([v2.version, v3.version]).toEqual([2, 3]);
    expect((await Note.get(userId, note.id))?.content).toBe("third");
  });

  it("refuses a stale expectedVersion with CONFLICT and writes nothing", async () => {
    const { userId, note } = await ownedNote("first");
    await Note.update(userId, { id: note.id, content: "second" });
    const error = await expectUpdateRefused(
      userId,
      { id: note.id, content: "lost", attachmentUploadId: null, expectedVersion: 1 },
      "CONFLICT",
    );
    expect(error.details?.currentVersion).toBe(2);
    expect(await Note.get(userId, note.id)).toMatchObject({ content: "second", attachment: null, version: 2 });
  });

  it("refuses an expectedVersion from the future with CONFLICT", async () => {
    const { userId, note } = await ownedNote();
    await expectUpdateRefused(userId, { id: note.id, content: "x", expectedVersion: 7 }, "CONFLICT");
  });

  it("answers NOT_FOUND for another user's note and leaves it unchanged", async () => {
    const { userId, note } = await ownedNote("mine");
    const intruder = newUser();
    await expectVisibleError(Note.update(intruder, { id: note.id, content: "hacked" }), "NOT_FOUND");
    await expectVisibleError(
      Note.update(intruder, { id: note.id, attachmentUploadId: null, expectedVersion: 1 }),
      "NOT_FOUND",
    );
    // A stale version must not reveal that the note exists either.
    await expectVisibleError(
      Note.update(intruder, { id: note.id, content: "hacked", expectedVersion: 5 }),
      "NOT_FOUND",
    );
    expect(await Note.get(userId, note.id)).toEqual(note);
    expect(await allNotes(intruder)).toEqual([]);
  });

  it("answers NOT_FOUND for a missing id and does not create a note", async () => {
    const userId = newUser();
    const id = "01ARZ3NDEKTSV4RRFFQ69G5FAV";
    await expectVisibleError(Note.update(userId, { id, content: "ghost" }), "NOT_FOUND");
    await expectVisibleError(Note.update(userId, { id, attachmentUploadId: null }), "NOT_FOUND");
    await expectVisibleError(Note.update(userId, { id, content: "ghost", expectedVersion: 1 }), "NOT_FOUND");
    expect(await Note.get(userId, id)).toBeNull();
    expect(await allNotes(userId)).toEqual([]);
  });

  it("answers NOT_FOUND for a malformed id", async () => {
    const userId = newUser();
    await expectVisibleError(Note.update(userId, { id: "nope", content: "x" }), "NOT_FOUND");
  });

  it("answers NOT_FOUND for a note that was removed", async () => {
    const { userId, note } = await ownedNote();
    await Note.remove(userId, note.id);
    await expectVisibleError(Note.update(userId, { id: note.id, content: "back" }), "NOT_FOUND");
    expect(await Note.get(userId, note.id)).toBeNull();
  });

  it("refuses an update with no fields to change", async () => {
    const { userId, note } = await ownedNote();
    await expectUpdateRefused(userId, { id: note.id }, "BAD_USER_INPUT");
    await expectUpdateRefused(userId, { id: note.id, expectedVersion: 1 }, "BAD_USER_INPUT");
  });

  it.each([0, -1])("answers expectedVersion %s (never a stored version) with CONFLICT", async (expectedVersion) => {
    const { userId, note } = await ownedNote();
    const error = await expectUpdateRefused(userId, { id: note.id, content: "x", expectedVersion }, "CONFLICT");
    expect(error.details).toEqual({ currentVersion: 1 });
  });

  it.each([1.5, Number.NaN, 2 ** 53])("refuses expectedVersion %s, which is not an integer version", async (expectedVersion) => {
    const { userId, note } = await ownedNote();
    const error = await expectUpdateRefused(
      userId,
      { id: note.id, content: "x", expectedVersion },
      "BAD_USER_INPUT",
    );
    expect(error.details?.field).toBe("expectedVersion");
  });

  it.each([
    ["empty content", { content: "" }],
    ["whitespace content", { content: "   \n\t" }],
    ["content of U+0085 (NEL) and U+3000", { content: "\u0085\u3000" }],
    ["content of 50,001 characters", { content: "a".repeat(MAX_CONTENT + 1) }],
    ["content of 50,001 emoji", { content: EMOJI.repeat(MAX_CONTENT + 1) }],
    ["content with an unpaired surrogate", { content: "\uD800" }],
    ["an attachmentUploadId that is not an upload id", { attachmentUploadId: "\uDFFF" }],
    ["valid content with an unknown upload", { content: "fine", attachmentUploadId: "01ARZ3NDEKTSV4RRFFQ69G5FAV" }],
  ])("validates on update too: refuses %s", async (_, fields) => {
    const { userId, note } = await ownedNote();
    await expectUpdateRefused(userId, { id: note.id, ...fields }, "BAD_USER_INPUT");
  });

  it("accepts content at its limit on update", async () => {
    const { userId, note } = await ownedNote();
    const content = EMOJI.repeat(MAX_CONTENT);
    const updated = await Note.update(userId, { id: note.id, content });
    expect(updated.content).toBe(content);
    expect(await Note.get(userId, note.id)).toEqual(updated);
  });

  it("never erases content when content is explicitly null", async () => {
    const { userId, note } = await ownedNote("kept");
    try {
      await Note.update(userId, { id: note.id, content: null, attachmentUploadId: null });
    } catch (error) {
      expect(error).toBeInstanceOf(VisibleError);
      expect((error as VisibleError).code).toBe("BAD_USER_INPUT");
    }
    expect((await Note.get(userId, note.id))?.content).toBe("kept");
  });

  describe("concurrency", () => {
    it("lets exactly one of 20 concurrent updates with the same expectedVersion win", async () => {
      const { userId, note } = await ownedNote();
      const results = await Promise.allSettled(
        Array.from({ length: 20 }, (_, i) =>
          Note.update(userId, { id: note.id, content: `writer ${i}`, expectedVersion: 1 }),
        ),
      );
      const winners = results.filter((r) => r.status === "fulfilled");
      const losers = results.filter((r) => r.status === "rejected");
      expect(winners).toHaveLength(1);
      expect(losers).toHaveLength(19);
      for (const loser of losers) {
        expect(loser.reason).toBeInstanceOf(VisibleError);
        expect((loser.reason as VisibleError).code).toBe("CONFLICT");
      }
      const winner = (winners[0] as PromiseFulfilledResult<Note.Note>).value;
      expect(winner.version).toBe(2);
      expect(await Note.get(userId, note.id)).toEqual(winner);
    });

    it("loses no write among 20 concurrent updates without expectedVersion", async () => {
      const { userId, note } = await ownedNote();
      const results = await Promise.all(
        Array.from({ length: 20 }, (_, i) => Note.update(userId, { id: note.id, content: `writer ${i}` })),
      );
      // Each write saw a distinct version: none overwrote another unseen.
      expect(results.map((r) => r.version).sort((a, b) => a - b)).toEqual(
        Array.from({ length: 20 }, (_, i) => i + 2),
      );
      const stored = await Note.get(userId, note.id);
      expect(stored?.version).toBe(21);
      const last = results.find((r) => r.version === 21);
      expect(stored?.content).toBe(last?.content);
    });
  });
});

describe("Note.remove", () => {
  it("returns the note as it was, after which it is gone", async () => {
    const { userId, note } = await ownedNote("doomed");
    const updated = await Note.update(userId, { id: note.id, content: "doomed v2" });
    const removed = await Note.remove(userId, note.id);
    expect(removed).toEqual(updated);
    expect(await Note.get(userId, note.id)).toBeNull();
    expect(await allNotes(userId)).toEqual([]);
  });

  it("answers NOT_FOUND on a second remove", async () => {
    const { userId, note } = await ownedNote();
    await Note.remove(userId, note.id);
    await expectVisibleError(Note.remove(userId, note.id), "NOT_FOUND");
  });

  it("answers NOT_FOUND for another user's note and leaves it in place", async () => {
    const { userId, note } = await ownedNote();
    await expectVisibleError(Note.remove(newUser(), note.id), "NOT_FOUND");
    expect(await Note.get(userId, note.id)).toEqual(note);
  });

  it("answers NOT_FOUND for missing and malformed ids", async () => {
    const userId = newUser();
    await expectVisibleError(Note.remove(userId, "01ARZ3NDEKTSV4RRFFQ69G5FAV"), "NOT_FOUND");
    await expectVisibleError(Note.remove(userId, "garbage"), "NOT_FOUND");
    await expectVisibleError(Note.remove(userId, ""), "NOT_FOUND");
  });

  it("removes only the named note", async () => {
    const userId = newUser();
    const keep = await Note.create(userId, { content: "keep" });
    const drop = await Note.create(userId, { content: "drop" });
    await Note.remove(userId, drop.id);
    expect(await allNotes(userId)).toEqual([keep]);
  });
});
