import { describe, expect, it } from "vitest";
import { CREATE, UPDATE, allNotes, expectData, postGraphQL, useLocalApi } from "./local-api.ts";

/** Concurrency over real HTTP on 127.0.0.1, bounded in count: nothing lost, nothing crossed. */
const api = useLocalApi();

describe("200 concurrent creates across 10 users", () => {
  it("stores exactly 200 notes, each under its owner", async () => {
    const users = await Promise.all(
      Array.from({ length: 10 }, async (_, u) => ({ id: `load-${u}-${Date.now()}`, token: "" })),
    );
    for (const user of users) user.token = await api.token(user.id);

    const results = await Promise.all(
      Array.from({ length: 200 }, async (_, i) => {
        const user = users[i % users.length]!;
        const result = await postGraphQL(api.url, CREATE, { input: { content: `${user.id}/${i}` } }, { token: user.token });
        return { user, i, note: expectData(result).createNote };
      }),
    );

    expect(new Set(results.map((r) => r.note.id)).size).toBe(200);
    let total = 0;
    for (const user of users) {
      const notes = await allNotes(api.url, user.token);
      total += notes.length;
      expect(notes).toHaveLength(20);
      for (const note of notes) expect(note.content.startsWith(`${user.id}/`)).toBe(true);
      const expected = results.filter((r) => r.user === user).map((r) => r.note.id).sort().reverse();
      expect(notes.map((note) => note.id)).toEqual(expected);
    }
    expect(total).toBe(200);
  });
});

describe("20 concurrent updates racing on one expectedVersion", () => {
  it("lets exactly one win; the other 19 get CONFLICT and change nothing", async () => {
    const token = await api.token(`racer-${Date.now()}`);
    const note = expectData(await postGraphQL(api.url, CREATE, { input: { content: "start" } }, { token })).createNote;

    const results = await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        postGraphQL(api.url, UPDATE, { input: { id: note.id, content: `racer ${i}`, expectedVersion: 1 } }, { token }),
      ),
    );
    for (const result of results) expect(result.status).toBeLessThan(500);
    const winners = results.filter((r) => r.json.data?.updateNote);
    const losers = results.filter((r) => !r.json.data?.updateNote);
    expect(winners).toHaveLength(1);
    expect(losers).toHaveLength(19);
    for (const loser of losers) {
      expect(loser.json.errors.map((e: { extensions: { code: string } }) => e.extensions.code)).toEqual(["CONFLICT"]);
      expect(loser.json.errors[0].extensions.currentVersion).toBe(2);
    }
    const winner = winners[0]!.json.data.updateNote;
    expect(winner.version).toBe(2);
    const [stored] = await allNotes(api.url, token);
    expect(stored).toEqual(winner);
  });
});
