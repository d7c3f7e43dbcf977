import { describe, expect, it } from "vitest";
import { leverEsbuild } from "./bundles.ts";
import { paired, ratios } from "./pairing.ts";

describe("paired rounds", () => {
  it("rotates the order every round and drops the warm-up rounds", async () => {
    const calls: string[] = [];
    const kept = await paired(["a", "b", "c"] as const, { rounds: 2, warmup: 1 }, async (name, round) => {
      calls.push(`${round.warmup ? "w" : round.index}:${name}`);
      return `${name}${round.index}`;
    });
    expect(calls).toEqual(["w:a", "w:b", "w:c", "0:b", "0:c", "0:a", "1:c", "1:a", "1:b"]);
    expect(kept).toEqual({ a: ["a0", "a1"], b: ["b0", "b1"], c: ["c0", "c1"] });
  });

  it("keeps sample i of every side from the same round, so ratios pair them", async () => {
    const kept = await paired(["x", "y"] as const, { rounds: 3, warmup: 0 }, async (name, round) => (name === "x" ? 2 : 1) * (round.index + 1));
    expect(ratios(kept.x, kept.y)).toEqual([2, 2, 2]);
    expect(() => ratios([1, 2], [1])).toThrow(/unpaired/);
  });
});

describe("a lever's esbuild options over the product's", () => {
  const base = { minify: true, alias: { a: "stand-in-a", b: "stand-in-b" }, define: { x: "1" }, external: ["sharp"] };

  it("merges objects key by key, replaces the rest and removes what the lever sets to null", () => {
    expect(leverEsbuild(base, { alias: { a: null, c: "new" }, minify: false, external: ["pg"] })).toEqual({
      minify: false,
      alias: { b: "stand-in-b", c: "new" },
      define: { x: "1" },
      external: ["pg"],
    });
    expect(leverEsbuild(base, { define: null })).toEqual({ minify: true, alias: base.alias, external: ["sharp"] });
    expect(base.alias).toEqual({ a: "stand-in-a", b: "stand-in-b" });
  });
});
