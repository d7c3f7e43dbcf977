/**
 * Words as search sees them (SPEC "Search"), with no dependencies, so the web app highlights
 * and filters with exactly the API's rules.
 */

const WORD = /[\p{L}\p{N}]+/gu;
const MARKS = /\p{M}/gu;

/** Case and diacritics folded: NFKD, lowercase, combining marks dropped, ß as ss. */
export function fold(text: string): string {
  return text.normalize("NFKD").toLowerCase().replace(MARKS, "").replaceAll("ß", "ss");
}

/** The folded words of a text (maximal runs of letters and digits), in order, with repeats. */
export function wordsOf(text: string): string[] {
  return fold(text).match(WORD) ?? [];
}

/** Whether every term is a prefix of one of the words. */
export function everyTermStartsAWord(terms: readonly string[], words: ReadonlySet<string>): boolean {
  return terms.every((term) => {
    if (words.has(term)) return true;
    for (const word of words) if (word.startsWith(term)) return true;
    return false;
  });
}
