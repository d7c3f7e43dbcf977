import { afterAll, beforeAll, describe, expect, it } from "vitest";
import * as Subscription from "../src/subscription.ts";
import { useEmbeddedTable } from "./embedded-table.ts";
import { newUser } from "./note-helpers.ts";

let db: Awaited<ReturnType<typeof useEmbeddedTable>>;
beforeAll(async () => {
  db = await useEmbeddedTable();
});
afterAll(async () => {
  await db?.close();
});

const QUERY = "subscription { noteEvents { type id } }";

async function connected(connectionId: string, userId: string, subscriptions: number): Promise<void> {
  await Subscription.addConnection(connectionId, 60);
  expect(await Subscription.initializeConnection(connectionId, userId)).toBe(true);
  for (let i = 1; i <= subscriptions; i++) {
    expect(await Subscription.addSubscription(userId, { connectionId, subscriptionId: String(i), query: QUERY })).toBe(true);
  }
}

describe("removeConnection", () => {
  it("on $disconnect (owner read from the record) removes the record and every subscription of that connection only", async () => {
    const userId = newUser();
    // More than one BatchWriteItem's 25 keys.
    await connected("closing", userId, 30);
    await connected("staying", userId, 2);
    await Subscription.removeConnection("closing");
    expect(await Subscription.getConnection("closing")).toBeNull();
    const left = await Subscription.subscriptionsOf(userId);
    expect(left.map((s) => [s.connectionId, s.subscriptionId]).sort()).toEqual([
      ["staying", "1"],
      ["staying", "2"],
    ]);
    expect(await Subscription.getConnection("staying")).toMatchObject({ userId });
  });

  it("for a connection the API found gone (owner given) removes the same, and an unknown one is a no-op", async () => {
    const userId = newUser();
    await connected("gone", userId, 3);
    await Subscription.removeConnection("gone", userId);
    expect(await Subscription.getConnection("gone")).toBeNull();
    expect(await Subscription.subscriptionsOf(userId)).toEqual([]);
    await expect(Subscription.removeConnection("never-connected")).resolves.toBeUndefined();
  });
});
