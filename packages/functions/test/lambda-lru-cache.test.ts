import { createRequire } from "node:module";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import LRUCache from "../src/lambda-lru-cache.ts";

// The Lambda bundle's LRU cache (stacks/lambda-bundle.ts) against the mnemonist copy the SDK's endpoint cache loads.
const requireFrom = (...chain: string[]) =>
  chain.reduce((from, name) => createRequire(from.resolve(name)), createRequire(import.meta.url));
const Mnemonist: new <K, V>(capacity: number) => LRUCache<K, V> = requireFrom(
  "@aws-sdk/client-dynamodb",
  "@aws-sdk/middleware-endpoint-discovery",
  "@aws-sdk/endpoint-cache",
)("mnemonist/lru-cache");

const key = fc.constantFrom("a", "b", "c", "d", "e");
const operation = fc.oneof(
  fc.record({ op: fc.constantFrom("get" as const, "has" as const, "peek" as const), key }),
  fc.record({ op: fc.constant("set" as const), key, value: fc.array(fc.nat(9), { maxLength: 2 }) }),
  fc.record({ op: fc.constant("clear" as const) }),
);

describe("the Lambda bundle's LRU cache", () => {
  it("answers as mnemonist's LRU does for the SDK's endpoint cache: get, set, has, peek, clear", () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 4 }), fc.array(operation, { maxLength: 60 }), (capacity, operations) => {
        const ours = new LRUCache<string, number[]>(capacity);
        const reference = new Mnemonist<string, number[]>(capacity);
        for (const step of operations) {
          if (step.op === "clear") {
            ours.clear();
            reference.clear();
          } else if (step.op === "set") {
            ours.set(step.key, step.value);
            reference.set(step.key, step.value);
          } else {
            expect(ours[step.op](step.key), JSON.stringify(step)).toEqual(reference[step.op](step.key));
          }
        }
      }),
      { numRuns: 2_000 },
    );
  });

  it("keeps at most capacity entries, evicting the least recently used; peek and has leave the order alone", () => {
    const cache = new LRUCache<string, number>(2);
    cache.set("a", 1);
    cache.set("b", 2);
    expect([cache.peek("a"), cache.has("a")]).toEqual([1, true]);
    cache.set("c", 3);
    expect([cache.has("a"), cache.get("b"), cache.get("c")]).toEqual([false, 2, 3]);
    expect(cache.get("b")).toBe(2);
    cache.set("d", 4);
    expect([cache.has("c"), cache.has("b"), cache.has("d")]).toEqual([false, true, true]);
  });

  it.each([0, 2.5, Number.NaN])("refuses a capacity of %s", (capacity) => {
    expect(() => new LRUCache(capacity)).toThrow(/takes a whole capacity ≥ 1/);
  });
});
