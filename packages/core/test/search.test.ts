import { ulid } from "ulid";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { observeAwsCalls } from "../src/aws-calls.ts";
import { dynamo } from "../src/dynamo.ts";
import * as Note from "../src/note.ts";
import * as Search from "../src/search.ts";
import { wordsOf } from "../src/words.ts";
import { useEmbeddedTable } from "./embedded-table.ts";
import { allNotes, expectVisibleError, newUser } from "./note-helpers.ts";

let db: Awaited<ReturnType<typeof useEmbeddedTable>>;
beforeAll(async () => {
  db = await useEmbeddedTable();
});
afterAll(async () => {
  await db?.close();
});

/** The contents of the notes a search finds (first page of up to 100), newest first. */
async function found(userId: string, search: string): Promise<string[]> {
  const page = await Note.list(userId, { search, first: 100 });
  return page.notes.map((note) => note.content);
}

/** Every match of a search, following endCursor, with the pages seen. */
async function pageThrough(userId: string, search: string, first: number): Promise<Note.Page[]> {
  const pages: Note.Page[] = [];
  let after: string | null = null;
  for (;;) {
    const page: Note.Page = await Note.list(userId, { search, first, after });
    pages.push(page);
    if (!page.hasNextPage) return pages;
    if (pages.length > 1000) throw new Error("paging did not terminate");
    after = page.endCursor;
  }
}

async function createAll(userId: string, contents: string[]): Promise<Note.Note[]> {
  const notes: Note.Note[] = [];
  for (const content of contents) notes.push(await Note.create(userId, { content }));
  return notes;
}

describe("folding and words", () => {
  it("folds case and diacritics: Zürich, ZURICH and zurich are one word", async () => {
    const user = newUser();
    await createAll(user, ["Zürich", "ZURICH", "zurich", "Zug"]);
    for (const search of ["zürich", "ZURICH", "Zurich", "zür", "ZU"]) {
      const expected = search.length > 2 ? ["zurich", "ZURICH", "Zürich"] : ["Zug", "zurich", "ZURICH", "Zürich"];
      expect(await found(user, search)).toEqual(expected);
    }
  });

  it("folds naïve to naive, ß to ss, full-width and ligature forms to plain letters", async () => {
    const user = newUser();
    await createAll(user, ["a naïve plan", "Die Straße", "ＦＵＬＬ width", "the ﬁle"]);
    expect(await found(user, "naive")).toEqual(["a naïve plan"]);
    expect(await found(user, "NAÏVE")).toEqual(["a naïve plan"]);
    expect(await found(user, "strasse")).toEqual(["Die Straße"]);
    expect(await found(user, "STRAẞE")).toEqual(["Die Straße"]);
    expect(await found(user, "full")).toEqual(["ＦＵＬＬ width"]);
    expect(await found(user, "file")).toEqual(["the ﬁle"]);
    expect(wordsOf("København Łódź")).toEqual(["københavn", "łodz"]);
  });

  it("finds digits, and words split by punctuation", async () => {
    const user = newUser();
    await createAll(user, ["Trip to Zürich in 2027", "v2.1 release, e-mail: ops@example.com!", "room 2026"]);
    expect(await found(user, "zur 2027")).toEqual(["Trip to Zürich in 2027"]);
    expect(await found(user, "202")).toEqual(["room 2026", "Trip to Zürich in 2027"]);
    expect(await found(user, "mail")).toEqual(["v2.1 release, e-mail: ops@example.com!"]);
    expect(await found(user, "example.com")).toEqual(["v2.1 release, e-mail: ops@example.com!"]);
    expect(await found(user, "v2")).toEqual(["v2.1 release, e-mail: ops@example.com!"]);
    expect(await found(user, "(ops)")).toEqual(["v2.1 release, e-mail: ops@example.com!"]);
  });

  it("matches word prefixes, not the middle or end of a word, nor a longer word", async () => {
    const user = newUser();
    await createAll(user, ["Zürich lake"]);
    expect(await found(user, "zu")).toEqual(["Zürich lake"]);
    expect(await found(user, "zurich")).toEqual(["Zürich lake"]);
    expect(await found(user, "urich")).toEqual([]);
    expect(await found(user, "rich")).toEqual([]);
    expect(await found(user, "zurichsee")).toEqual([]);
    expect(await found(user, "lak")).toEqual(["Zürich lake"]);
    expect(await found(user, "lakes")).toEqual([]);
  });

  it("needs every word (AND), in any order, repeated words counting once", async () => {
    const user = newUser();
    await createAll(user, ["red apple", "green apple", "red car", "apple pie with red berries"]);
    expect(await found(user, "apple red")).toEqual(["apple pie with red berries", "red apple"]);
    expect(await found(user, "red apple red")).toEqual(["apple pie with red berries", "red apple"]);
    expect(await found(user, "green car")).toEqual([]);
    expect(await found(user, "ap re be")).toEqual(["apple pie with red berries"]);
  });
});

describe("paging", () => {
  let user: string;
  let matching: string[];
  beforeAll(async () => {
    user = newUser();
    matching = [];
    // 320 notes, 260 of them with "alpha": the others sit among them in id order.
    for (let i = 0; i < 320; i++) {
      const note = await Note.create(user, { content: i % 16 < 3 ? `beta ${i}` : `alpha note ${i}` });
      if (i % 16 >= 3) matching.push(note.id);
    }
    matching.reverse();
  }, 120_000);

  it.each([1, 7, 100])("pages with first: %i: full pages, each match once, newest first", async (first) => {
    const pages = await pageThrough(user, "alpha", first);
    const seen = pages.flatMap((page) => page.notes.map((note) => note.id));
    expect(seen).toEqual(matching);
    expect(pages.slice(0, -1).every((page) => page.notes.length === first && page.hasNextPage)).toBe(true);
    const last = pages.at(-1)!;
    expect(last.notes.length).toBe(matching.length - first * (pages.length - 1));
    expect(last.notes.length).toBeGreaterThan(0);
    expect(last.hasNextPage).toBe(false);
  });

  it("says hasNextPage exactly when another match exists", async () => {
    const page = await Note.list(user, { search: "alpha", first: 100 });
    expect(page.notes).toHaveLength(100);
    expect(page.hasNextPage).toBe(true);
    const exact = await Note.list(user, { search: "alpha note 3", first: 1 });
    expect(exact.notes.map((note) => note.content)).toEqual(["alpha note 319"]);
    expect(exact.hasNextPage).toBe(true);
    const four = ["beta 162", "beta 161", "beta 160", "beta 16"];
    const all = await Note.list(user, { search: "beta 16", first: 4 });
    expect(all.notes.map((note) => note.content)).toEqual(four);
    expect(all.hasNextPage).toBe(false);
    const three = await Note.list(user, { search: "beta 16", first: 3 });
    expect(three.notes.map((note) => note.content)).toEqual(four.slice(0, 3));
    expect(three.hasNextPage).toBe(true);
  });

  it("visits each unchanged match once while notes change between pages", async () => {
    const owner = newUser();
    const notes = await createAll(owner, Array.from({ length: 60 }, (_, i) => `gamma ${i}`));
    const seen: string[] = [];
    const changed = new Set<string>();
    let after: string | null = null;
    for (let round = 0; ; round++) {
      const page: Note.Page = await Note.list(owner, { search: "gamma", first: 7, after });
      seen.push(...page.notes.map((note) => note.id));
      if (!page.hasNextPage) break;
      after = page.endCursor;
      // Below the cursor: one note loses the word, one is deleted, one is edited but keeps it;
      // above it: a new match. None of this may repeat or skip a note that did not change.
      const cursorId = page.notes.at(-1)!.id;
      const below = notes.filter((note) => note.id < cursorId && !changed.has(note.id));
      const [lose, drop, keep] = [below.at(-1), below.at(-2), below.at(-3)];
      if (lose) {
        await Note.update(owner, { id: lose.id, content: "no longer" });
        changed.add(lose.id);
      }
      if (drop) {
        await Note.remove(owner, drop.id);
        changed.add(drop.id);
      }
      if (keep) await Note.update(owner, { id: keep.id, content: `gamma edited ${round}` });
      await Note.create(owner, { content: `gamma new ${round}` });
    }
    expect(new Set(seen).size).toBe(seen.length);
    const unchanged = notes.map((note) => note.id).filter((id) => !changed.has(id)).reverse();
    expect(seen).toEqual(unchanged);
  });
});

describe("freshness", () => {
  it("finds a note by its new words once update returns, and no longer by removed ones", async () => {
    const user = newUser();
    const note = await Note.create(user, { content: "meeting in Zürich" });
    expect(await found(user, "zurich")).toEqual(["meeting in Zürich"]);
    await Note.update(user, { id: note.id, content: "meeting in Basel" });
    expect(await found(user, "zurich")).toEqual([]);
    expect(await found(user, "zu")).toEqual([]);
    expect(await found(user, "basel meet")).toEqual(["meeting in Basel"]);
    await Note.update(user, { id: note.id, content: "Zürich again", expectedVersion: 2 });
    expect(await found(user, "zur")).toEqual(["Zürich again"]);
    expect(await found(user, "basel")).toEqual([]);
  });

  it("never returns a deleted note, and leaves none of its index behind", async () => {
    const user = newUser();
    const note = await Note.create(user, { content: "delete me soon" });
    await Note.remove(user, note.id);
    expect(await found(user, "delete")).toEqual([]);
    const { Items = [] } = await dynamo.query({
      KeyConditionExpression: "userId = :p",
      ExpressionAttributeValues: { ":p": Search.groupPartition(user, "dele") },
    });
    expect(Items).toEqual([]);
  });

  it("skips group items whose note is missing, and removes them once no create can be in flight", async () => {
    const user = newUser();
    await createAll(user, ["orphan check"]);
    const stale = ulid(Date.now() - 10 * 60 * 1000);
    const fresh = ulid();
    const partition = Search.groupPartition(user, "orph");
    for (const noteId of [stale, fresh]) await dynamo.put({ Item: { userId: partition, noteId, v: 1 } });
    expect(await found(user, "orphan")).toEqual(["orphan check"]);
    const { Items = [] } = await dynamo.query({
      KeyConditionExpression: "userId = :p",
      ExpressionAttributeValues: { ":p": partition },
    });
    // The fresh one may be a create between its index write and its note's: it stays.
    expect(Items.map((item) => item.noteId).sort()).toEqual([fresh, (await allNotes(user))[0]!.id].sort());
  });

  it("keeps the latest version findable under concurrent updates of one note", async () => {
    const user = newUser();
    const note = await Note.create(user, { content: "start" });
    const words = ["apple", "banana", "cherry", "damson", "elder", "fig"];
    await Promise.all(words.map((word) => Note.update(user, { id: note.id, content: `fruit ${word}` })));
    const [latest] = await allNotes(user);
    expect(latest!.version).toBe(words.length + 1);
    expect(await found(user, "fruit")).toEqual([latest!.content]);
    const word = latest!.content.split(" ")[1]!;
    expect(await found(user, word)).toEqual([latest!.content]);
    for (const other of words.filter((w) => w !== word)) expect(await found(user, other)).toEqual([]);
  });
});

describe("isolation and the index's place", () => {
  it("never matches another user's notes, even with a cursor from them", async () => {
    const alice = newUser();
    const bob = newUser();
    await createAll(alice, ["secret plan one", "secret plan two"]);
    await createAll(bob, ["my own plan"]);
    expect(await found(bob, "secret")).toEqual([]);
    expect(await found(bob, "plan")).toEqual(["my own plan"]);
    const alicePage = await Note.list(alice, { search: "plan", first: 1 });
    const bobPage = await Note.list(bob, { search: "plan", first: 10, after: alicePage.endCursor });
    expect(bobPage.notes.every((note) => note.content === "my own plan")).toBe(true);
  });

  it("keeps index items out of the listing, in partitions no user id can name", async () => {
    const user = newUser();
    await createAll(user, ["listed once"]);
    expect((await allNotes(user)).map((note) => note.content)).toEqual(["listed once"]);
    expect(Search.groupPartition("a", "z").length).toBeGreaterThan(256);
    expect(Search.groupPartition("x".repeat(256), "zzzz").length).toBeGreaterThan(256);
    // One-to-one: a group never holds "/" or "~", so the user id ends at the last "/" before it.
    expect(Search.groupPartition("a/b", "c")).not.toBe(Search.groupPartition("a", "b"));
    expect(Search.groupPartition("a/b~", "c")).not.toBe(Search.groupPartition("a", "b"));
  });
});

describe("the index bound", () => {
  it("indexes every word of a 10,000-character note, and words of the file name regardless", async () => {
    const user = newUser();
    const filler = "lorem ipsum dolor ".repeat(600);
    const content = `${filler.slice(0, 10_000 - " finalword".length)} finalword`;
    expect([...content].length).toBe(10_000);
    await Note.create(user, { content });
    expect((await found(user, "finalword")).length).toBe(1);
    expect(Search.groupsOf("x", "Quarterly-Report.pdf")).toEqual(new Set(["x", "q", "qu", "qua", "quar", "r", "re", "rep", "repo", "p", "pd", "pdf"]));
  });

  it("never matches a word found only past 10,000 characters, alone or with another word", async () => {
    const user = newUser();
    const head = "lorem ipsum zebra ".repeat(600).slice(0, 10_000);
    await Note.create(user, { content: `${head} zebrafish quokka` });
    // "zebrafish" shares its group "zebr" with "zebra" (indexed), so the note is a candidate: still no match.
    for (const search of ["zebrafish", "quokka", "zebra zebrafish", "lorem quokka", "zebr quokka"]) {
      expect(await found(user, search), search).toEqual([]);
    }
    expect((await found(user, "zebra lorem")).length).toBe(1);
  });
});

/**
 * Pages of 2 through every match under a read bound, following each page's end (a bound's stop
 * included): the ids seen, in order, and how many pages the bound ended early.
 */
async function pageAll(user: string, parsed: ReturnType<typeof Search.parseSearch>, bounds: Parameters<typeof Search.findMatches>[4]) {
  const seen: string[] = [];
  let stops = 0;
  let after: string | undefined;
  for (let calls = 0; calls < 200; calls++) {
    const { items, stoppedAt } = await Search.findMatches(user, parsed, 2, after, bounds);
    seen.push(...items.map((item) => item.noteId));
    if (stoppedAt) stops++;
    else if (items.length < 2) break;
    after = stoppedAt ?? items.at(-1)!.noteId;
  }
  return { seen, stops };
}

describe("the per-page read bound", () => {
  it("ends a page early at the bound with where to go on, and paging still visits every match once", async () => {
    const user = newUser();
    // Every note is in the group "zebr", only a third match "zebrafish": most candidates fail.
    const notes = await createAll(user, Array.from({ length: 12 }, (_, i) => (i % 3 === 0 ? `zebrafish ${i}` : `zebra ${i}`)));
    const expected = notes.filter((note) => note.content.includes("fish")).map((note) => note.id).reverse();
    const parsed = Search.parseSearch("zebrafish");
    const { seen, stops } = await pageAll(user, parsed, { maxCandidates: 4 });
    expect(seen).toEqual(expected);
    expect(stops).toBeGreaterThan(0);
  });
});

describe("the per-page query bound", () => {
  it("ends a page early at the bound mid-walk, and paging still visits every match once", async () => {
    const user = newUser();
    const contents = Array.from({ length: 16 }, (_, i) => (i % 5 === 2 ? `alpha beta ${i}` : i % 2 ? `alpha ${i}` : `beta ${i}`));
    const notes = await createAll(user, contents);
    const expected = notes.filter((note) => note.content.startsWith("alpha beta")).map((note) => note.id).reverse();
    const parsed = Search.parseSearch("alph beta");
    // Limit 25 keys a Query: 2 Queries read both groups, 1 stops after the first.
    const { seen, stops } = await pageAll(user, parsed, { maxQueries: 1 });
    expect(seen).toEqual(expected);
    expect(stops).toBeGreaterThan(0);
  });
});

describe("a common word with a rare one", () => {
  it("reads only the notes in every word's group: the rare word bounds the work", async () => {
    const user = newUser();
    const contents = Array.from({ length: 60 }, (_, i) => (i % 20 === 7 ? `the quokka ${i}` : `the errand ${i}`));
    const notes = await createAll(user, contents);
    const expected = notes.filter((note) => note.content.includes("quokka")).map((note) => note.content).reverse();
    const calls: string[] = [];
    observeAwsCalls((call) => calls.push(call.operation));
    let pages: Note.Page[];
    try {
      pages = await pageThrough(user, "the q", 1);
    } finally {
      observeAwsCalls(undefined);
    }
    expect(pages.flatMap((page) => page.notes.map((note) => note.content))).toEqual(expected);
    expect(pages.map((page) => page.notes.length)).toEqual([1, 1, 1]);
    expect(pages.map((page) => page.hasNextPage)).toEqual([true, true, false]);
    // Reading "the" alone would read up to 60 candidates, 2 a call; the intersection reads the 3 matches.
    const noteReads = calls.filter((operation) => operation === "BatchGetItem").length;
    expect(noteReads).toBeGreaterThan(0);
    expect(noteReads).toBeLessThanOrEqual(3);
  });
});

describe("bad input", () => {
  it.each([
    ["empty", ""],
    ["only spaces", "   "],
    ["only punctuation", "!?-…"],
    ["201 characters", "a".repeat(201)],
    ["an unpaired surrogate", "ab\uD800"],
  ])("refuses a search that is %s", async (_, search) => {
    const error = await expectVisibleError(Note.list(newUser(), { search }), "BAD_USER_INPUT");
    expect(error.details?.field).toBe("search");
  });

  it("accepts 200 characters, emoji counting as one", async () => {
    const user = newUser();
    await expect(Note.list(user, { search: "a".repeat(200) })).resolves.toMatchObject({ notes: [] });
    await expect(Note.list(user, { search: `${"😀".repeat(199)}a` })).resolves.toMatchObject({ notes: [] });
  });

  it("binds a cursor to its search: another search, none, or a plain cursor → after", async () => {
    const user = newUser();
    await createAll(user, ["cat one", "cat two", "cat three"]);
    const page = await Note.list(user, { search: "cat", first: 1 });
    // The same words in another form are the same search.
    const same = await Note.list(user, { search: "CAT", first: 1, after: page.endCursor });
    expect(same.notes).toHaveLength(1);
    const plain = await Note.list(user, { first: 1 });
    for (const input of [
      { search: "cats", after: page.endCursor },
      { after: page.endCursor },
      { search: "cat", after: plain.endCursor },
      { search: "cat", after: "garbage" },
    ]) {
      const error = await expectVisibleError(Note.list(user, input), "BAD_USER_INPUT");
      expect(error.details?.field).toBe("after");
    }
  });
});
