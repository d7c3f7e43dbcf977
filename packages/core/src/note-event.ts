import type { Note } from "./note.ts";

/** What changed about one note: sent to its owner's live subscriptions (Subscription.noteEvents). */
export interface NoteEvent {
  type: "CREATED" | "UPDATED" | "DELETED";
  /** The note's id. */
  id: string;
  /** The note's version after the change; for DELETED, its last version. */
  version: number;
  /** The note after the change; null for DELETED, or when the event is too large for one message. */
  note: Note | null;
}

export function noteEvent(type: NoteEvent["type"], note: Note): NoteEvent {
  return { type, id: note.id, version: note.version, note: type === "DELETED" ? null : note };
}
