import { useState } from "react";
import { useMutation } from "urql";
import { describeApiError, type ApiProblem } from "../api.ts";
import type { Note } from "../notes/use-notes.ts";
import { CreateNoteMutation } from "../operations.ts";
import { NoteForm } from "./NoteForm.tsx";

interface NewNoteFormProps {
  onCreated(note: Note): void;
  onProblem(problem: ApiProblem): void;
}

export function NewNoteForm({ onCreated, onProblem }: NewNoteFormProps) {
  const [{ fetching }, createNote] = useMutation(CreateNoteMutation);
  const [problem, setProblem] = useState<ApiProblem | null>(null);
  // A new key empties the form after a successful create.
  const [formKey, setFormKey] = useState(0);

  return (
    <section aria-labelledby="new-note-heading" className="card">
      <h2 id="new-note-heading">New note</h2>
      <NoteForm
        key={formKey}
        label="New note"
        submitLabel="Add note"
        busyLabel="Adding…"
        busy={fetching}
        problem={problem}
        onProblem={onProblem}
        onSubmit={async (values) => {
          const result = await createNote({
            input: { content: values.content, attachmentUploadId: values.attachmentUploadId ?? undefined },
          });
          if (result.error || !result.data) {
            const next = result.error
              ? describeApiError(result.error)
              : ({ code: "UNEXPECTED", message: "Something went wrong. Please try again." } as const);
            setProblem(next);
            onProblem(next);
            return;
          }
          setProblem(null);
          setFormKey((k) => k + 1);
          onCreated(result.data.createNote);
        }}
      />
    </section>
  );
}
