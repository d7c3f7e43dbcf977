import { randomUUID } from "node:crypto";
import { expect } from "vitest";
import { VisibleError, type VisibleErrorCode } from "../src/errors.ts";
import * as Note from "../src/note.ts";

export const ULID_SHAPE = /^[0-7][0-9A-HJKMNP-TV-Z]{25}$/;
export const ISO_UTC_MILLIS = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;

/** A user id no other test touches, so tests can share one table. */
export function newUser(): string {
  return `user-${randomUUID()}`;
}

/** Awaits a call that must fail with a VisibleError of `code`, and returns that error. */
export async function expectVisibleError(
  call: Promise<unknown>,
  code: VisibleErrorCode,
): Promise<VisibleError> {
  let outcome: { value: unknown } | { error: unknown };
  try {
    outcome = { value: await call };
  } catch (error) {
    outcome = { error };
  }
  if (!("error" in outcome)) {
    throw new Error(`expected ${code}, but the call succeeded with ${JSON.stringify(outcome.value)}`);
  }
  expect(outcome.error).toBeInstanceOf(VisibleError);
  expect((outcome.error as VisibleError).code).toBe(code);
  return outcome.error as VisibleError;
}

/** Every note of the user, newest first, read through the public paging API. */
export async function allNotes(userId: string): Promise<Note.Note[]> {
  const notes: Note.Note[] = [];
  let after: string | null = null;
  for (;;) {
    const page: Note.Page = await Note.list(userId, { first: 100, after });
    notes.push(...page.notes);
    if (!page.hasNextPage) return notes;
    after = page.endCursor;
  }
}

/** Creates `count` notes one after another (so their order is certain); returns them oldest first. */
export async function createNotes(userId: string, count: number, label = "note"): Promise<Note.Note[]> {
  const notes: Note.Note[] = [];
  for (let i = 0; i < count; i++) notes.push(await Note.create(userId, { content: `${label} ${i}` }));
  return notes;
}
