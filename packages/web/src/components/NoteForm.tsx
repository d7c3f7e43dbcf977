import { useEffect, useId, useRef, useState, type FormEvent } from "react";
import type { ApiProblem } from "../api.ts";
import { formatBytes, MAX_ATTACHMENT_BYTES } from "../notes/upload-file.ts";
import { useAttachmentUpload } from "../notes/use-attachment-upload.ts";
import type { Attachment } from "./AttachmentView.tsx";

export const MAX_CONTENT_LENGTH = 50_000;

export interface NoteValues {
  content: string;
  /** An uploaded file to attach (replacing any); null removes the note's file; absent keeps it. */
  attachmentUploadId?: string | null;
}

interface NoteFormProps {
  label: string;
  initial?: { content: string };
  /** The note's current file, when editing one that has a file. */
  attachment?: Attachment | null;
  submitLabel: string;
  busyLabel: string;
  busy: boolean;
  /** The API's answer to the last submit, shown in the form. */
  problem?: ApiProblem | null;
  /** Extra content under the problem, e.g. a "Load latest version" action. */
  problemAction?: React.ReactNode;
  onSubmit(values: NoteValues): void;
  onCancel?(): void;
  /** A failed API call while uploading (e.g. UNAUTHENTICATED). */
  onProblem?(problem: ApiProblem): void;
}

/** The fields of a note, for both creating and editing; checks the API's limits before sending. */
export function NoteForm(props: NoteFormProps) {
  const id = useId();
  const [content, setContent] = useState(props.initial?.content ?? "");
  const [contentError, setContentError] = useState<string | null>(null);
  const [removeFile, setRemoveFile] = useState(false);
  const upload = useAttachmentUpload(props.onProblem);
  const fileInput = useRef<HTMLInputElement>(null);
  const existing = props.attachment ?? null;
  const uploading = upload.state.phase === "uploading";

  // An upload the API refused to attach (expired, already used) is spent: the user picks the file again.
  const { problem } = props;
  const clearUpload = upload.clear;
  useEffect(() => {
    if (problem?.field === "attachmentUploadId") {
      clearUpload();
      if (fileInput.current) fileInput.current.value = "";
    }
  }, [problem, clearUpload]);

  // A refused or failed file is not kept in the picker, so a save plainly goes without it.
  const failed = upload.state.phase === "failed";
  useEffect(() => {
    if (failed && fileInput.current) fileInput.current.value = "";
  }, [failed]);

  function chooseFile(file: File | undefined) {
    if (!file) return;
    setRemoveFile(false);
    void upload.start(file);
  }

  function dropChosenFile() {
    upload.clear();
    if (fileInput.current) fileInput.current.value = "";
  }

  function submit(event: FormEvent) {
    event.preventDefault();
    if (uploading) return;
    if (!content.trim()) {
      setContentError("Write something first: a note cannot be empty.");
      return;
    }
    if (content.length > MAX_CONTENT_LENGTH) {
      setContentError(`A note can hold at most ${MAX_CONTENT_LENGTH.toLocaleString("en")} characters.`);
      return;
    }
    setContentError(null);
    const values: NoteValues = { content };
    if (upload.state.phase === "ready") values.attachmentUploadId = upload.state.uploadId;
    else if (removeFile && existing) values.attachmentUploadId = null;
    props.onSubmit(values);
  }

  const fileLabel = existing ? "Replace the file" : "Attachment";
  const state = upload.state;
  return (
    <form className="note-form" aria-label={props.label} onSubmit={submit} noValidate>
      <label htmlFor={`${id}-content`}>Note</label>
      <textarea
        id={`${id}-content`}
        value={content}
        onChange={(e) => setContent(e.target.value)}
        rows={4}
        maxLength={MAX_CONTENT_LENGTH}
        required
        aria-invalid={contentError !== null}
        aria-describedby={contentError ? `${id}-content-error` : undefined}
      />
      {contentError && (
        <p className="field-error" id={`${id}-content-error`} role="alert">
          {contentError}
        </p>
      )}

      {existing && (
        <div className="current-file">
          {removeFile ? (
            <p>
              <span className="muted">Attachment:</span> {existing.fileName} will be removed when you save.{" "}
              <button type="button" onClick={() => setRemoveFile(false)}>
                Keep the file
              </button>
            </p>
          ) : (
            <p>
              <span className="muted">Attachment:</span> {existing.fileName}{" "}
              <span className="muted">
                ({existing.contentType}, {formatBytes(existing.size)})
              </span>{" "}
              <button
                type="button"
                className="danger-outline"
                onClick={() => {
                  dropChosenFile();
                  setRemoveFile(true);
                }}
              >
                Remove the file
              </button>
            </p>
          )}
        </div>
      )}

      <label htmlFor={`${id}-file`}>
        {fileLabel} <span className="muted">(optional, up to {formatBytes(MAX_ATTACHMENT_BYTES)})</span>
      </label>
      <input
        id={`${id}-file`}
        ref={fileInput}
        type="file"
        className="file-input"
        onChange={(e) => chooseFile(e.target.files?.[0])}
        aria-invalid={state.phase === "failed"}
        aria-describedby={state.phase === "idle" ? undefined : `${id}-upload`}
      />
      <div id={`${id}-upload`} aria-live="polite">
        {state.phase === "uploading" && (
          <div className="upload-progress">
            <label htmlFor={`${id}-progress`} className="muted">
              Uploading {state.file.name}…
            </label>
            <progress id={`${id}-progress`} max={state.total} value={state.loaded} />
            <output htmlFor={`${id}-progress`}>{percent(state.loaded, state.total)}%</output>
            <button type="button" onClick={dropChosenFile}>
              Cancel upload
            </button>
          </div>
        )}
        {state.phase === "ready" && (
          <p className="upload-ready">
            {state.file.name}{" "}
            <span className="muted">
              ({state.file.type || "application/octet-stream"}, {formatBytes(state.file.size)})
            </span>{" "}
            is uploaded and will be {existing ? `attached instead of ${existing.fileName}` : "attached"} when you save.{" "}
            <button type="button" onClick={dropChosenFile}>
              Don’t attach
            </button>
          </p>
        )}
        {state.phase === "failed" && (
          <p className="field-error" role="alert">
            {state.message}
          </p>
        )}
      </div>

      {props.problem && (
        <div className="error" role="alert">
          <p>{props.problem.message}</p>
          {props.problemAction}
        </div>
      )}
      <div className="actions">
        <button type="submit" className="primary" disabled={props.busy || uploading}>
          {props.busy ? props.busyLabel : uploading ? "Uploading…" : props.submitLabel}
        </button>
        {props.onCancel && (
          <button type="button" onClick={props.onCancel}>
            Cancel
          </button>
        )}
      </div>
    </form>
  );
}

function percent(loaded: number, total: number): number {
  return total > 0 ? Math.min(100, Math.floor((loaded / total) * 100)) : 0;
}
