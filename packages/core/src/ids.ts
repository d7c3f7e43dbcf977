import { monotonicFactory } from "ulid";

/** Canonical ULIDs only: upper case, first character 0–7 (the ulid package's isValid also takes lower case). */
const ULID_PATTERN = /^[0-7][0-9A-HJKMNP-TV-Z]{25}$/;

export function isUlid(value: string): boolean {
  return ULID_PATTERN.test(value);
}

/** Note and upload ids: time-sortable, monotonic within a millisecond. */
export const nextUlid = monotonicFactory();
