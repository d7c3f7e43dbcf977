import { useCallback, useEffect, useRef, useState } from "react";
import { useClient } from "urql";
import type { CombinedError } from "urql";
import { describeApiError, type ApiProblem } from "../api.ts";
import type { NoteFieldsFragment } from "../gql/graphql.ts";
import { NotesPageQuery } from "../operations.ts";
import { everyTermStartsAWord, wordsOf } from "@notes/core/words";
import { searchTerms } from "./highlight.ts";

export type Note = NoteFieldsFragment;

export interface NotesState {
  notes: Note[];
  /** "loading" only for the first page; later pages set `loadingMore`. */
  status: "loading" | "ready" | "error";
  problem: ApiProblem | null;
  hasNextPage: boolean;
  loadingMore: boolean;
  loadMoreProblem: ApiProblem | null;
}

const INITIAL: NotesState = {
  notes: [],
  status: "loading",
  problem: null,
  hasNextPage: false,
  loadingMore: false,
  loadMoreProblem: null,
};

/**
 * The caller's notes (or only those matching `search`), newest first, one page at a time through
 * the API's cursor. Local edits (create, update, delete) are applied to the pages already loaded
 * instead of refetching them.
 */
export function useNotes(pageSize: number, search: string | null = null) {
  const client = useClient();
  const [state, setState] = useState<NotesState>(INITIAL);
  const endCursor = useRef<string | null>(null);
  const generation = useRef(0);

  const fetchPage = useCallback(
    async (after: string | null) => {
      const started = generation.current;
      const result = await client.query(NotesPageQuery, { first: pageSize, after, search }).toPromise();
      // A reload started meanwhile; this page belongs to a list that is gone.
      if (started !== generation.current) return null;
      return result;
    },
    [client, pageSize, search],
  );

  const reload = useCallback(async () => {
    generation.current += 1;
    endCursor.current = null;
    setState(INITIAL);
    const result = await fetchPage(null);
    if (!result) return;
    if (result.error || !result.data) {
      setState({ ...INITIAL, status: "error", problem: problemOf(result.error) });
      return;
    }
    endCursor.current = result.data.notes.pageInfo.endCursor;
    setState({
      ...INITIAL,
      status: "ready",
      notes: result.data.notes.edges.map((edge) => edge.node),
      hasNextPage: result.data.notes.pageInfo.hasNextPage,
    });
  }, [fetchPage]);

  /** Resolves to the number of notes the page brought, or the problem that stopped it. */
  const loadMore = useCallback(async (): Promise<number | ApiProblem> => {
    setState((s) => ({ ...s, loadingMore: true, loadMoreProblem: null }));
    const result = await fetchPage(endCursor.current);
    if (!result) return 0;
    if (result.error || !result.data) {
      const problem = problemOf(result.error);
      setState((s) => ({ ...s, loadingMore: false, loadMoreProblem: problem }));
      return problem;
    }
    const page = result.data.notes;
    endCursor.current = page.pageInfo.endCursor;
    setState((s) => {
      const known = new Set(s.notes.map((note) => note.id));
      const older = page.edges.map((edge) => edge.node).filter((note) => !known.has(note.id));
      return { ...s, notes: [...s.notes, ...older], hasNextPage: page.pageInfo.hasNextPage, loadingMore: false };
    });
    return page.edges.length;
  }, [fetchPage]);

  useEffect(() => {
    void reload();
  }, [reload]);

  const added = useCallback(
    (note: Note) => {
      // A note written while searching joins the results only if the search finds it.
      if (search !== null && !matchesSearch(note, searchTerms(search))) return;
      setState((s) => ({ ...s, notes: [note, ...s.notes.filter((n) => n.id !== note.id)] }));
    },
    [search],
  );
  const replaced = useCallback((note: Note) => {
    // Never back to an older version (a late event, or a save that answered after another tab's).
    setState((s) => ({ ...s, notes: s.notes.map((n) => (n.id === note.id && note.version >= n.version ? note : n)) }));
  }, []);
  const removed = useCallback((id: string) => {
    setState((s) => ({ ...s, notes: s.notes.filter((n) => n.id !== id) }));
  }, []);

  return { ...state, reload, loadMore, added, replaced, removed };
}

function matchesSearch(note: Note, terms: string[]): boolean {
  return everyTermStartsAWord(terms, new Set([...wordsOf(note.content), ...wordsOf(note.attachment?.fileName ?? "")]));
}

function problemOf(error: CombinedError | undefined): ApiProblem {
  return error ? describeApiError(error) : { code: "UNEXPECTED", message: "Something went wrong. Please try again." };
}
