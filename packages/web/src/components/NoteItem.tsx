import { useId, useRef, useState } from "react";
import { useClient, useMutation } from "urql";
import { describeApiError, type ApiProblem } from "../api.ts";
import type { Note } from "../notes/use-notes.ts";
import { DeleteNoteMutation, NoteQuery, UpdateNoteMutation } from "../operations.ts";
import { highlightParts } from "../notes/highlight.ts";
import { AttachmentView } from "./AttachmentView.tsx";
import { ConfirmDialog } from "./ConfirmDialog.tsx";
import { NoteForm, type NoteValues } from "./NoteForm.tsx";

interface NoteItemProps {
  note: Note;
  onSaved(note: Note): void;
  /** A newer copy of the note from the API (after a conflict). */
  onRefreshed(note: Note): void;
  /** The note is gone: deleted here, or found missing. */
  onGone(id: string, message: string): void;
  onProblem(problem: ApiProblem): void;
  announce(message: string): void;
  /** Folded search terms whose matches are marked in the content. */
  highlight?: readonly string[];
}

const UNEXPECTED: ApiProblem = { code: "UNEXPECTED", message: "Something went wrong. Please try again." };
const dateFormat = new Intl.DateTimeFormat(undefined, { dateStyle: "medium", timeStyle: "short" });

export function NoteItem(props: NoteItemProps) {
  const { note } = props;
  const id = useId();
  const [editing, setEditing] = useState(false);
  const [confirming, setConfirming] = useState(false);
  const [deleteProblem, setDeleteProblem] = useState<string | null>(null);
  const [{ fetching: deleting }, deleteNote] = useMutation(DeleteNoteMutation);
  const editButton = useRef<HTMLButtonElement>(null);

  async function confirmDelete() {
    const result = await deleteNote({ id: note.id });
    const problem = result.error ? describeApiError(result.error) : result.data ? null : UNEXPECTED;
    if (problem && problem.code !== "NOT_FOUND") {
      setDeleteProblem(problem.message);
      props.onProblem(problem);
      return;
    }
    setConfirming(false);
    props.onGone(note.id, problem ? problem.message : "Note deleted.");
  }

  return (
    <li className="note">
      {editing ? (
        <EditNote
          {...props}
          onSaved={(saved) => {
            setEditing(false);
            props.onSaved(saved);
            requestAnimationFrame(() => editButton.current?.focus());
          }}
          onCancel={() => {
            setEditing(false);
            requestAnimationFrame(() => editButton.current?.focus());
          }}
        />
      ) : (
        <>
          <p className="note-content" id={`${id}-content`}>
            {highlightParts(note.content, props.highlight ?? []).map((part, index) =>
              part.match ? <mark key={index}>{part.text}</mark> : part.text,
            )}
          </p>
          {note.attachment && <AttachmentView key={note.attachment.url} attachment={note.attachment} />}
          <p className="note-meta muted">
            Updated <time dateTime={note.updatedAt}>{dateFormat.format(new Date(note.updatedAt))}</time> · version{" "}
            {note.version}
          </p>
          <div className="actions">
            <button type="button" ref={editButton} onClick={() => setEditing(true)} aria-describedby={`${id}-content`}>
              Edit
            </button>
            <button
              type="button"
              className="danger-outline"
              onClick={() => {
                setDeleteProblem(null);
                setConfirming(true);
              }}
              aria-describedby={`${id}-content`}
            >
              Delete
            </button>
          </div>
        </>
      )}
      <ConfirmDialog
        open={confirming}
        title="Delete this note?"
        description={`“${preview(note.content)}”${note.attachment ? ` and its file ${note.attachment.fileName}` : ""} will be deleted. This cannot be undone.`}
        confirmLabel="Delete note"
        busyLabel="Deleting…"
        busy={deleting}
        problem={deleteProblem}
        onConfirm={() => void confirmDelete()}
        onCancel={() => setConfirming(false)}
      />
    </li>
  );
}

interface EditNoteProps extends NoteItemProps {
  onCancel(): void;
}

/**
 * Edits against the version the user started from (expectedVersion); if the note changed
 * elsewhere meanwhile, the API answers CONFLICT and nothing is overwritten.
 */
function EditNote(props: EditNoteProps) {
  const client = useClient();
  const [{ fetching }, updateNote] = useMutation(UpdateNoteMutation);
  const [baseVersion, setBaseVersion] = useState(props.note.version);
  const [problem, setProblem] = useState<ApiProblem | null>(null);
  const [latest, setLatest] = useState<Note | null>(null);
  const [refreshing, setRefreshing] = useState(false);

  async function save(values: NoteValues) {
    const result = await updateNote({
      input: {
        id: props.note.id,
        content: values.content,
        expectedVersion: baseVersion,
        ...(values.attachmentUploadId !== undefined && { attachmentUploadId: values.attachmentUploadId }),
      },
    });
    if (result.data) {
      props.onSaved(result.data.updateNote);
      return;
    }
    const next = result.error ? describeApiError(result.error) : UNEXPECTED;
    if (next.code === "NOT_FOUND") return props.onGone(props.note.id, next.message);
    setProblem(next);
    props.onProblem(next);
  }

  async function loadLatest() {
    setRefreshing(true);
    const result = await client.query(NoteQuery, { id: props.note.id }).toPromise();
    setRefreshing(false);
    if (result.error || !result.data) {
      const next = result.error ? describeApiError(result.error) : UNEXPECTED;
      setProblem(next);
      return props.onProblem(next);
    }
    const fresh = result.data.note;
    if (!fresh) return props.onGone(props.note.id, "This note was deleted in another tab or device.");
    setLatest(fresh);
    setBaseVersion(fresh.version);
    setProblem(null);
    props.onRefreshed(fresh);
    props.announce(`Loaded version ${fresh.version}. Your text is still in the form; saving now replaces that version.`);
  }

  return (
    <div className="editing">
      {latest && (
        <figure className="latest">
          <figcaption>Latest saved text (version {latest.version})</figcaption>
          <p className="note-content">{latest.content}</p>
        </figure>
      )}
      <NoteForm
        label="Edit note"
        initial={{ content: props.note.content }}
        attachment={(latest ?? props.note).attachment}
        submitLabel="Save"
        busyLabel="Saving…"
        busy={fetching}
        problem={problem}
        problemAction={
          problem?.code === "CONFLICT" ? (
            <button type="button" onClick={() => void loadLatest()} disabled={refreshing}>
              {refreshing ? "Loading…" : "Load latest version"}
            </button>
          ) : null
        }
        onSubmit={(values) => void save(values)}
        onCancel={props.onCancel}
        onProblem={props.onProblem}
      />
    </div>
  );
}

function preview(content: string): string {
  const line = content.trim().replace(/\s+/g, " ");
  return line.length > 60 ? `${line.slice(0, 57)}…` : line;
}
