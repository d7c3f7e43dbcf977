import { useCallback, useEffect, useRef, useState } from "react";
import { useClient, useQuery, useSubscription } from "urql";
import type { ApiProblem } from "../api.ts";
import type { Session } from "../auth/cognito.ts";
import { PAGE_SIZE } from "../config.ts";
import { useNotes } from "../notes/use-notes.ts";
import { useSearch } from "../notes/use-search.ts";
import type { LiveConnection } from "../notes/live.ts";
import { useLiveStatus } from "../notes/use-live-status.ts";
import { MeQuery, NoteEventsSubscription } from "../operations.ts";
import { NewNoteForm } from "./NewNoteForm.tsx";
import { NoteItem } from "./NoteItem.tsx";
import { SearchBox } from "./SearchBox.tsx";

interface NotesPageProps {
  session: Session;
  live: LiveConnection;
  onSignOut(reason?: string): void;
}

const LIVE_LABELS = { live: "Live", connecting: "Connecting…", reconnecting: "Reconnecting…" } as const;

export function NotesPage({ session, live, onSignOut }: NotesPageProps) {
  const search = useSearch();
  const notes = useNotes(PAGE_SIZE, search.search);
  const [status, setStatus] = useState("");
  const listHeading = useRef<HTMLHeadingElement>(null);
  const [me] = useQuery({ query: MeQuery });

  const announce = useCallback((message: string) => setStatus(message), []);

  /** Shared by every operation: an UNAUTHENTICATED answer means the token is no good any more. */
  const onProblem = useCallback(
    (problem: ApiProblem) => {
      if (problem.code === "UNAUTHENTICATED") onSignOut(problem.message);
    },
    [onSignOut],
  );

  // The API answers `me: null` for a token it does not accept (expired, or from another issuer).
  useEffect(() => {
    if (me.data && me.data.me === null) onSignOut("Your session has ended. Please sign in again.");
  }, [me.data, onSignOut]);

  useEffect(() => {
    if (notes.problem) onProblem(notes.problem);
  }, [notes.problem, onProblem]);

  // Changes from other tabs and devices, as they happen; after a drop the page is fetched again (catch-up).
  const { added, replaced, removed, reload } = notes;
  useSubscription({ query: NoteEventsSubscription }, (_previous, data) => {
    const event = data.noteEvents;
    if (event.type === "DELETED") removed(event.id);
    // Too large for one WebSocket message (the event comes without the note), or a search whose matches may change.
    else if (!event.note || search.search) void reload();
    else if (event.type === "CREATED") added(event.note);
    else replaced(event.note);
    return data;
  });
  const client = useClient();
  const liveStatus = useLiveStatus(live, {
    onReconnected: () => void reload(),
    // A connection refused before it was acknowledged: if the API no longer takes the token, sign in again.
    onRefused: async () => {
      const result = await client.query(MeQuery, {}, { requestPolicy: "network-only" }).toPromise();
      if (result.data && result.data.me === null) onSignOut("Your session has ended. Please sign in again.");
    },
  });

  async function loadMore() {
    const outcome = await notes.loadMore();
    if (typeof outcome === "number") {
      announce(outcome === 1 ? "Loaded 1 more note." : `Loaded ${outcome} more notes.`);
    } else onProblem(outcome);
  }

  return (
    <div className="layout">
      <header className="topbar">
        <h1>Notes</h1>
        <p className="who">
          Signed in as <strong>{session.email}</strong>
        </p>
        <span className={`live-status ${liveStatus}`} data-live={liveStatus} aria-live="polite" title="Changes from your other tabs and devices">
          {LIVE_LABELS[liveStatus]}
        </span>
        <button type="button" onClick={() => onSignOut()}>
          Sign out
        </button>
      </header>

      <main>
        <p className="status" role="status" aria-live="polite">
          {status}
        </p>

        <NewNoteForm
          onCreated={(note) => {
            notes.added(note);
            announce("Note created.");
          }}
          onProblem={onProblem}
        />

        <section aria-labelledby="notes-heading" className="notes-section">
          <h2 id="notes-heading" ref={listHeading} tabIndex={-1}>
            {search.search === null ? "Your notes" : "Matching notes"}
          </h2>

          <SearchBox text={search.text} onChange={search.setText} onClear={search.clear} />

          {notes.status === "loading" && <p className="muted">{search.search === null ? "Loading your notes…" : "Searching…"}</p>}

          {notes.status === "error" && notes.problem && (
            <div className="error" role="alert">
              <p>{notes.problem.message}</p>
              <button type="button" onClick={() => void notes.reload()}>
                Try again
              </button>
            </div>
          )}

          {notes.status === "ready" && notes.notes.length === 0 && !notes.hasNextPage && (
            <p className="empty">
              {search.search === null ? "No notes yet. Write your first one above." : `No notes match “${search.search}”.`}
            </p>
          )}

          {notes.notes.length > 0 && (
            <ul className="notes" aria-labelledby="notes-heading" aria-busy={notes.loadingMore}>
              {notes.notes.map((note) => (
                <NoteItem
                  key={note.id}
                  note={note}
                  onSaved={(saved) => {
                    notes.replaced(saved);
                    announce("Note saved.");
                  }}
                  onRefreshed={notes.replaced}
                  onGone={(id, message) => {
                    notes.removed(id);
                    announce(message);
                    listHeading.current?.focus();
                  }}
                  onProblem={onProblem}
                  announce={announce}
                  highlight={search.terms}
                />
              ))}
            </ul>
          )}

          {notes.hasNextPage && (
            <button type="button" className="load-more" onClick={() => void loadMore()} disabled={notes.loadingMore}>
              {notes.loadingMore ? "Loading…" : "Load more"}
            </button>
          )}
          {notes.loadMoreProblem && (
            <p className="error" role="alert">
              {notes.loadMoreProblem.message}
            </p>
          )}
        </section>
      </main>
    </div>
  );
}
