import { describe, expect, it } from "vitest";
import { highlightParts, searchTerms } from "../src/notes/highlight.ts";

const marked = (text: string, search: string) =>
  highlightParts(text, searchTerms(search))
    .filter((part) => part.match)
    .map((part) => part.text);

describe("highlighting search matches", () => {
  it("marks the matched start of each word, folded as the API folds", () => {
    expect(marked("Trip to Zürich in 2027", "zur 2027")).toEqual(["Zür", "2027"]);
    expect(marked("ZURICH and zurich", "Zü")).toEqual(["ZU", "zu"]);
    expect(marked("Die Straße", "strass")).toEqual(["Straß"]);
    expect(marked("na\u0308ive", "nai")).toEqual(["na\u0308i"]);
  });

  it("marks nothing inside words, and keeps the text whole", () => {
    const parts = highlightParts("brunch: lunch, Lunchbox!", searchTerms("lunch"));
    expect(parts.map((part) => part.text).join("")).toBe("brunch: lunch, Lunchbox!");
    expect(parts.filter((part) => part.match).map((part) => part.text)).toEqual(["lunch", "Lunch"]);
  });

  it("has no terms for a search without letters or digits", () => {
    expect(searchTerms("?! …")).toEqual([]);
    expect(highlightParts("text", [])).toEqual([{ text: "text", match: false }]);
  });
});
