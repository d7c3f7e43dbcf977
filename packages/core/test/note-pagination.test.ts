import { afterAll, beforeAll, describe, expect, it } from "vitest";
import * as Note from "../src/note.ts";
import { useEmbeddedTable } from "./embedded-table.ts";
import { allNotes, createNotes, expectVisibleError, newUser } from "./note-helpers.ts";

let db: Awaited<ReturnType<typeof useEmbeddedTable>>;
beforeAll(async () => {
  db = await useEmbeddedTable();
});
afterAll(async () => {
  await db?.close();
});

/** Follows endCursor from the first page to the last, returning every page seen. */
async function pageThrough(userId: string, first: number): Promise<Note.Page[]> {
  const pages: Note.Page[] = [];
  let after: string | null = null;
  for (;;) {
    const page: Note.Page = await Note.list(userId, { first, after });
    pages.push(page);
    if (!page.hasNextPage) return pages;
    if (pages.length > 1000) throw new Error("paging did not terminate");
    after = page.endCursor;
  }
}

function ids(notes: Note.Note[]): string[] {
  return notes.map((note) => note.id);
}

function newestFirst(notes: Note.Note[]): string[] {
  return ids(notes).reverse();
}

describe("Note.list", () => {
  it("returns an empty page for a user with no notes", async () => {
    expect(await Note.list(newUser())).toEqual({ notes: [], hasNextPage: false, endCursor: null });
    expect(await Note.list(newUser(), { first: 1 })).toEqual({ notes: [], hasNextPage: false, endCursor: null });
  });

  it("returns the user's notes newest first, with full note fields", async () => {
    const userId = newUser();
    const created = await createNotes(userId, 5);
    const page = await Note.list(userId);
    expect(page.notes).toEqual([...created].reverse());
    expect(page.hasNextPage).toBe(false);
    expect(page.endCursor).toBe(Note.cursorFor(created[0]!));
  });

  it("pages through 25 notes 10 at a time: 10, 10, 5, each note exactly once", async () => {
    const userId = newUser();
    const created = await createNotes(userId, 25);
    const pages = await pageThrough(userId, 10);

    expect(pages.map((page) => page.notes.length)).toEqual([10, 10, 5]);
    expect(pages.map((page) => page.hasNextPage)).toEqual([true, true, false]);
    const seen = pages.flatMap((page) => ids(page.notes));
    expect(seen).toEqual(newestFirst(created));
    expect(new Set(seen).size).toBe(25);
    // Each endCursor is the cursor of its page's last (oldest) note.
    for (const page of pages) expect(page.endCursor).toBe(Note.cursorFor(page.notes.at(-1)!));
  });

  it("reports no next page when the notes are an exact multiple of the page size", async () => {
    const userId = newUser();
    const created = await createNotes(userId, 20);
    const first = await Note.list(userId, { first: 10 });
    expect(first.hasNextPage).toBe(true);
    const second = await Note.list(userId, { first: 10, after: first.endCursor });
    expect(second.notes).toHaveLength(10);
    expect(second.hasNextPage).toBe(false);
    expect([...ids(first.notes), ...ids(second.notes)]).toEqual(newestFirst(created));
    // The cursor after the very last note leads to an empty, final page.
    const beyond = await Note.list(userId, { first: 10, after: second.endCursor });
    expect(beyond).toEqual({ notes: [], hasNextPage: false, endCursor: null });
  });

  it("pages past DynamoDB's 1 MB page cut: 25 notes of 50,000 characters, first: 100", async () => {
    const user = newUser();
    for (let i = 0; i < 25; i++) {
      await Note.create(user, { content: `${i}:`.padEnd(Note.limits.contentMaxChars, "z") });
    }
    const firstPage = await Note.list(user, { first: 100 });
    expect(firstPage.notes.length).toBeLessThan(25);
    expect(firstPage.hasNextPage).toBe(true);
    const seen = (await allNotes(user)).map((note) => Number(note.content.split(":")[0]));
    expect(seen).toEqual(Array.from({ length: 25 }, (_, i) => 24 - i));
  });

  it("pages one note at a time", async () => {
    const userId = newUser();
    const created = await createNotes(userId, 3);
    const pages = await pageThrough(userId, 1);
    expect(pages.map((page) => ids(page.notes))).toEqual(newestFirst(created).map((id) => [id]));
    expect(pages.map((page) => page.hasNextPage)).toEqual([true, true, false]);
  });

  it("uses a default page size of 20", async () => {
    const userId = newUser();
    const created = await createNotes(userId, 25);
    for (const input of [undefined, {}, { first: null }, { first: undefined, after: null }]) {
      const page = await Note.list(userId, input);
      expect(page.notes).toHaveLength(Note.limits.pageSizeDefault);
      expect(page.notes).toHaveLength(20);
      expect(page.hasNextPage).toBe(true);
      expect(ids(page.notes)).toEqual(newestFirst(created).slice(0, 20));
    }
  });

  it("accepts first: 100 and returns at most 100", async () => {
    const userId = newUser();
    const created = await createNotes(userId, 101);
    const page = await Note.list(userId, { first: 100 });
    expect(page.notes).toHaveLength(100);
    expect(page.hasNextPage).toBe(true);
    const rest = await Note.list(userId, { first: 100, after: page.endCursor });
    expect(ids(rest.notes)).toEqual([created[0]!.id]);
    expect(rest.hasNextPage).toBe(false);
  });

  it.each([0, 101, -1, 1.5, Number.NaN, Number.POSITIVE_INFINITY, 1e9])(
    "refuses first: %s",
    async (first) => {
      const userId = newUser();
      await createNotes(userId, 2);
      const error = await expectVisibleError(Note.list(userId, { first }), "BAD_USER_INPUT");
      expect(error.details?.field).toBe("first");
    },
  );

  it("accepts first: 1 and first: 100", async () => {
    const userId = newUser();
    await createNotes(userId, 2);
    expect((await Note.list(userId, { first: 1 })).notes).toHaveLength(1);
    expect((await Note.list(userId, { first: 100 })).notes).toHaveLength(2);
  });

  it("does not show notes created after a cursor was issued on later pages, nor repeat any", async () => {
    const userId = newUser();
    const created = await createNotes(userId, 6);
    const first = await Note.list(userId, { first: 3 });
    await createNotes(userId, 2, "newer");
    const second = await Note.list(userId, { first: 3, after: first.endCursor });
    expect(ids(second.notes)).toEqual(newestFirst(created).slice(3));
    expect(second.hasNextPage).toBe(false);
  });

  it("still pages correctly when the cursor's note was removed", async () => {
    const userId = newUser();
    const created = await createNotes(userId, 6);
    const first = await Note.list(userId, { first: 3 });
    await Note.remove(userId, first.notes.at(-1)!.id);
    const second = await Note.list(userId, { first: 3, after: first.endCursor });
    expect(ids(second.notes)).toEqual(newestFirst(created).slice(3));
  });

  describe("cursors", () => {
    it("are opaque strings that do not equal the raw id", async () => {
      const userId = newUser();
      const [note] = await createNotes(userId, 1);
      const cursor = Note.cursorFor(note!);
      expect(typeof cursor).toBe("string");
      expect(cursor).not.toBe(note!.id);
      expect(cursor).not.toContain(note!.id);
      expect(Note.cursorFor({ id: note!.id })).toBe(cursor);
    });

    it.each([
      ["an empty string", ""],
      ["garbage", "garbage"],
      ["base64 of random text", Buffer.from("the quick brown fox").toString("base64url")],
      ["base64 of a prefixed non-ULID", Buffer.from("note:not-a-ulid-at-all-xxxxxx").toString("base64url")],
      ["base64 of a bare ULID", Buffer.from("01ARZ3NDEKTSV4RRFFQ69G5FAV").toString("base64url")],
      ["base64 of a prefixed lowercase ULID", Buffer.from("note:01arz3ndektsv4rrffq69g5fav").toString("base64url")],
      ["base64 of a prefixed ULID plus trailing data", Buffer.from("note:01ARZ3NDEKTSV4RRFFQ69G5FAVX").toString("base64url")],
      ["a raw ULID", "01ARZ3NDEKTSV4RRFFQ69G5FAV"],
      ["a 1,000-character string", "A".repeat(1000)],
      ["a valid cursor repeated 23 times", Note.cursorFor({ id: "01ARZ3NDEKTSV4RRFFQ69G5FAV" }).repeat(23)],
      ["invalid base64 characters", "!!!!****"],
      ["an unpaired surrogate", "\uD800"],
    ])("refuses %s as a cursor", async (_, after) => {
      const userId = newUser();
      await createNotes(userId, 3);
      const error = await expectVisibleError(Note.list(userId, { after }), "BAD_USER_INPUT");
      expect(error.details?.field).toBe("after");
    });

    it("never lets user A's cursor reach A's notes when used by user B", async () => {
      const alice = newUser();
      const bob = newUser();
      // Interleave creation so Alice's cursor falls in the middle of Bob's notes by time.
      const aliceNotes: Note.Note[] = [];
      const bobNotes: Note.Note[] = [];
      for (let i = 0; i < 6; i++) {
        aliceNotes.push(await Note.create(alice, { content: `alice ${i}` }));
        bobNotes.push(await Note.create(bob, { content: `bob ${i}` }));
      }
      const alicePage = await Note.list(alice, { first: 3 });
      expect(alicePage.hasNextPage).toBe(true);

      const bobPage = await Note.list(bob, { first: 100, after: alicePage.endCursor });
      const aliceIds = new Set(ids(aliceNotes));
      expect(bobPage.notes.length).toBeGreaterThan(0);
      for (const note of bobPage.notes) expect(aliceIds.has(note.id)).toBe(false);
      // Bob sees exactly his own notes older than the cursor's position.
      const cursorId = alicePage.notes.at(-1)!.id;
      expect(ids(bobPage.notes)).toEqual(newestFirst(bobNotes).filter((id) => id < cursorId));
    });

    it("keeps a forged cursor inside the caller's partition", async () => {
      const alice = newUser();
      const bob = newUser();
      await createNotes(alice, 3);
      const bobNotes = await createNotes(bob, 3);
      const forged = Note.cursorFor({ id: "7ZZZZZZZZZZZZZZZZZZZZZZZZZ" });
      const page = await Note.list(bob, { after: forged });
      expect(ids(page.notes)).toEqual(newestFirst(bobNotes));
      const bottom = Note.cursorFor({ id: "00000000000000000000000000" });
      expect(await Note.list(bob, { after: bottom })).toEqual({ notes: [], hasNextPage: false, endCursor: null });
    });

    it("keeps users' listings apart", async () => {
      const alice = newUser();
      const bob = newUser();
      const aliceNotes = await createNotes(alice, 4, "alice");
      const bobNotes = await createNotes(bob, 2, "bob");
      expect(await allNotes(alice)).toEqual([...aliceNotes].reverse());
      expect(await allNotes(bob)).toEqual([...bobNotes].reverse());
    });
  });
});
