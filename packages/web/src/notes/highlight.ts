import { fold, wordsOf } from "@notes/core/words";

export interface TextPart {
  text: string;
  /** True for the start of a word that a search term matched. */
  match: boolean;
}

// Marks included, so a decomposed "u" + "¨" stays one token, as folding makes it one word.
const TOKEN = /[\p{L}\p{N}\p{M}]+/gu;

/** The search's terms as the API folds them; empty when it has no word (then nothing is searched). */
export function searchTerms(search: string): string[] {
  return [...new Set(wordsOf(search))];
}

/** Splits `text` so that the start of each word a term is a prefix of can be marked. */
export function highlightParts(text: string, terms: readonly string[]): TextPart[] {
  if (terms.length === 0) return [{ text, match: false }];
  const parts: TextPart[] = [];
  let plainFrom = 0;
  for (const token of text.matchAll(TOKEN)) {
    const length = matchedLength(token[0], terms);
    if (length === 0) continue;
    if (token.index > plainFrom) parts.push({ text: text.slice(plainFrom, token.index), match: false });
    parts.push({ text: token[0].slice(0, length), match: true });
    plainFrom = token.index + length;
  }
  if (plainFrom < text.length) parts.push({ text: text.slice(plainFrom), match: false });
  return parts;
}

/** UTF-16 length of the shortest start of `token` whose folding begins with the longest matching term. */
function matchedLength(token: string, terms: readonly string[]): number {
  const folded = fold(token);
  const term = terms.filter((t) => folded.startsWith(t)).sort((a, b) => b.length - a.length)[0];
  if (!term) return 0;
  let prefix = "";
  for (const char of token) {
    prefix += char;
    if (fold(prefix).startsWith(term)) break;
  }
  // Combining marks right after the matched letters belong to them.
  const marks = /^\p{M}+/u.exec(token.slice(prefix.length));
  return prefix.length + (marks?.[0].length ?? 0);
}
