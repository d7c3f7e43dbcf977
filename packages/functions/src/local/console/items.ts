import { ScanCommand } from "@aws-sdk/lib-dynamodb";
import { UPLOAD_SORT_KEY } from "@notes/core/attachment";
import { dynamoClient, dynamoSettings } from "@notes/core/dynamo";
import type { ItemsView, NoteView } from "./types.ts";

/**
 * The notes table as the console shows it: notes by user, pending uploads and any other kind of
 * item apart. A Scan, which the API never does: the local table is small and this is read-only.
 */
export async function listItems(): Promise<ItemsView> {
  const notesByUser = new Map<string, NoteView[]>();
  const pendingUploads: Record<string, unknown>[] = [];
  const otherItems: Record<string, unknown>[] = [];
  let startKey: Record<string, unknown> | undefined;
  do {
    const page = await dynamoClient().send(new ScanCommand({ TableName: dynamoSettings().tableName, ExclusiveStartKey: startKey }));
    for (const item of page.Items ?? []) {
      if (isUploadRecord(item)) pendingUploads.push(item);
      else if (isNote(item)) {
        const notes = notesByUser.get(item.userId) ?? [];
        notes.push(noteView(item));
        notesByUser.set(item.userId, notes);
      } else otherItems.push(item);
    }
    startKey = page.LastEvaluatedKey;
  } while (startKey);
  return {
    notesByUser: [...notesByUser].map(([userId, notes]) => ({ userId, notes: notes.sort((a, b) => b.noteId.localeCompare(a.noteId)) })),
    pendingUploads,
    otherItems,
  };
}

/** core/attachment.ts keeps uploads under their own sort key, outside every user's notes. */
function isUploadRecord(item: Record<string, unknown>): boolean {
  return item.noteId === UPLOAD_SORT_KEY && typeof item.ownerId === "string";
}

function isNote(item: Record<string, unknown>): item is Record<string, unknown> & NoteView {
  return typeof item.userId === "string" && typeof item.noteId === "string" && typeof item.content === "string" && typeof item.version === "number";
}

function noteView(item: NoteView): NoteView {
  const attachment = item.attachment !== null && typeof item.attachment === "object" ? item.attachment : null;
  const { userId, noteId, content, version, createdAt, updatedAt } = item;
  return { userId, noteId, content, version, createdAt, updatedAt, attachment };
}
