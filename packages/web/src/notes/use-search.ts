import { useCallback, useEffect, useState } from "react";
import { searchTerms } from "./highlight.ts";

const PARAM = "q";
const DEBOUNCE_MS = 250;

function searchInUrl(): string {
  return new URLSearchParams(location.search).get(PARAM) ?? "";
}

/**
 * The search box's text and the search it applies: results follow typing after a short pause,
 * Escape or clearing applies at once, and the URL keeps the search (`?q=`) so a reload keeps it.
 */
export function useSearch() {
  const [text, setText] = useState(searchInUrl);
  const [applied, setApplied] = useState(text);

  useEffect(() => {
    if (text === applied) return;
    const timer = setTimeout(() => setApplied(text), text.trim() === "" ? 0 : DEBOUNCE_MS);
    return () => clearTimeout(timer);
  }, [text, applied]);

  useEffect(() => {
    const url = new URL(location.href);
    if (applied.trim() === "") url.searchParams.delete(PARAM);
    else url.searchParams.set(PARAM, applied);
    if (url.href !== location.href) history.replaceState(history.state, "", url);
  }, [applied]);

  const clear = useCallback(() => {
    setText("");
    setApplied("");
  }, []);

  const terms = searchTerms(applied);
  // A search with no letters or digits would be refused: the whole list stays.
  return { text, setText, clear, search: terms.length > 0 ? applied.trim() : null, terms };
}
