/** Text rules shared by notes and attachments. */

const ONLY_WHITESPACE = /^[\s\u0085]*$/;

/** Empty or only whitespace (U+0085, NEXT LINE, included: `\s` leaves it out). */
export function isOnlyWhitespace(value: string): boolean {
  return ONLY_WHITESPACE.test(value);
}

/** Unicode code points in `value`, counting no further than one past `stopAfter`. */
export function countCodePoints(value: string, stopAfter: number): number {
  if (value.length <= stopAfter) return value.length;
  let count = 0;
  for (const _ of value) if (++count > stopAfter) break;
  return count;
}
