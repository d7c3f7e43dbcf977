import { useId, useState, type FormEvent } from "react";
import type { ApiProblem } from "../api.ts";

export const MAX_CONTENT_LENGTH = 50_000;

export interface NoteValues {
  content: string;
}

interface NoteFormProps {
  label: string;
  initial?: NoteValues;
  submitLabel: string;
  busyLabel: string;
  busy: boolean;
  /** The API's answer to the last submit, shown in the form. */
  problem?: ApiProblem | null;
  /** Extra content under the problem, e.g. a "Load latest version" action. */
  problemAction?: React.ReactNode;
  onSubmit(values: NoteValues): void;
  onCancel?(): void;
}

/** The fields of a note, for both creating and editing; checks the API's limits before sending. */
export function NoteForm(props: NoteFormProps) {
  const id = useId();
  const [content, setContent] = useState(props.initial?.content ?? "");
  const [contentError, setContentError] = useState<string | null>(null);

  function submit(event: FormEvent) {
    event.preventDefault();
    if (!content.trim()) {
      setContentError("Write something first: a note cannot be empty.");
      return;
    }
    if (content.length > MAX_CONTENT_LENGTH) {
      setContentError(`A note can hold at most ${MAX_CONTENT_LENGTH.toLocaleString("en")} characters.`);
      return;
    }
    setContentError(null);
    props.onSubmit({ content });
  }

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
      {props.problem && (
        <div className="error" role="alert">
          <p>{props.problem.message}</p>
          {props.problemAction}
        </div>
      )}
      <div className="actions">
        <button type="submit" className="primary" disabled={props.busy}>
          {props.busy ? props.busyLabel : props.submitLabel}
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
