/** Text rules shared by notes and attachments. */

const ONLY_WHITESPACE = /^[\s\u0085]*$/;

/** Empty or only whitespace (U+0085, NEXT LINE, included: `\s` leaves it out). */
export function isOnlyWhitespace(value: string): boolean {
  return ONLY_WHITESPACE.test(value);
}

const SURROGATE_PAIR = /[\uD800-\uDBFF][\uDC00-\uDFFF]/;

/** Unicode code points in `value`: exact up to `stopAfter`, and `stopAfter + 1` for anything longer. */
export function countCodePoints(value: string, stopAfter: number): number {
  // Without a pair every UTF-16 unit is one code point (a lone surrogate counts as one too).
  if (value.length <= stopAfter && !SURROGATE_PAIR.test(value)) return value.length;
  let count = 0;
  for (const _ of value) if (++count > stopAfter) break;
  return count;
}

/** The first `count` code points of `value` (all of it when shorter); never splits a surrogate pair. */
export function firstCodePoints(value: string, count: number): string {
  if (value.length <= count) return value;
  let end = 0;
  for (let seen = 0; seen < count && end < value.length; seen++) end += value.codePointAt(end)! > 0xffff ? 2 : 1;
  return value.slice(0, end);
}
