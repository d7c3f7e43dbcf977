import { useCallback, useEffect, useMemo, useState } from "react";
import { Provider } from "urql";
import { createApiClient } from "../api.ts";
import { clearSession, isExpired, loadSession, saveSession, SESSION_STORAGE_KEY, type Session } from "../auth/session.ts";
import type { AppConfig } from "../config.ts";
import { NotesPage } from "./NotesPage.tsx";
import { SignInPage } from "./SignInPage.tsx";

const MAX_TIMER_MS = 2 ** 31 - 1;

export function App({ config }: { config: AppConfig }) {
  const [session, setSession] = useState<Session | null>(() => loadSession());
  const [notice, setNotice] = useState<string | null>(null);

  const signIn = useCallback((next: Session) => {
    saveSession(next);
    setNotice(null);
    setSession(next);
  }, []);

  const signOut = useCallback((reason?: string) => {
    clearSession();
    setNotice(reason ?? null);
    setSession(null);
  }, []);

  // Tabs share the session: signing in or out in one applies to all.
  useEffect(() => {
    const onStorage = (event: StorageEvent) => {
      if (event.key === SESSION_STORAGE_KEY || event.key === null) setSession(loadSession());
    };
    addEventListener("storage", onStorage);
    return () => removeEventListener("storage", onStorage);
  }, []);

  useEffect(() => {
    if (!session) return;
    const check = () => {
      if (isExpired(session)) signOut("Your session has expired. Please sign in again.");
    };
    const timer = setTimeout(check, Math.min(Math.max(session.expiresAt - Date.now() - 30_000, 0), MAX_TIMER_MS));
    return () => clearTimeout(timer);
  }, [session, signOut]);

  const client = useMemo(() => (session ? createApiClient(config.apiUrl, session.token) : null), [config.apiUrl, session]);

  if (!session || !client) return <SignInPage auth={config.auth} notice={notice} onSignedIn={signIn} />;
  return (
    <Provider value={client}>
      <NotesPage key={session.token} session={session} onSignOut={signOut} />
    </Provider>
  );
}
