import { useCallback, useEffect, useMemo, useState } from "react";
import { Provider } from "urql";
import { createApiClient } from "../api.ts";
import { currentSession, signOutOfPool, type Session } from "../auth/cognito.ts";
import type { AppConfig, CognitoConfig } from "../config.ts";
import { createLiveConnection } from "../notes/live.ts";
import { AuthPage } from "./AuthPage.tsx";
import { NotesPage } from "./NotesPage.tsx";

const MAX_TIMER_MS = 2 ** 31 - 1;
const SESSION_ENDED = "Your session has ended. Please sign in again.";
const RETRY_REFRESH_MS = 15_000;

export function App({ config }: { config: AppConfig }) {
  if (!config.cognito) {
    return (
      <main className="sign-in">
        <h1>Notes</h1>
        <p className="error" role="alert">
          This build of the app has no user pool configured (VITE_REGION, VITE_USER_POOL_ID, VITE_USER_POOL_CLIENT_ID).
        </p>
      </main>
    );
  }
  return <SignedInApp apiUrl={config.apiUrl} websocketUrl={config.websocketUrl} cognito={config.cognito} />;
}

const accessToken = async () => (await currentSession())?.accessToken ?? null;

function SignedInApp({ apiUrl, websocketUrl, cognito }: { apiUrl: string; websocketUrl: string; cognito: CognitoConfig }) {
  // undefined: still reading the stored session (a reload), so neither page flashes up.
  const [session, setSession] = useState<Session | null | undefined>(undefined);
  const [notice, setNotice] = useState<string | null>(null);

  const signOut = useCallback(async (reason?: string) => {
    // Local sign-out must happen even if the pool cannot be reached.
    await signOutOfPool().catch(() => {});
    setNotice(reason ?? null);
    setSession(null);
  }, []);

  const reload = useCallback(() => {
    currentSession().then(setSession, () => setSession(null));
  }, []);

  useEffect(reload, [reload]);

  // Tabs share the session (Amplify keeps it in localStorage): signing in or out in one applies to all.
  useEffect(() => {
    addEventListener("storage", reload);
    return () => removeEventListener("storage", reload);
  }, [reload]);

  // Silent refresh ahead of expiry, so a token never runs out between two requests.
  useEffect(() => {
    if (!session) return;
    const remaining = session.expiresAt - Date.now();
    const lead = Math.min(60_000, remaining / 2);
    const timer = setTimeout(
      () => {
        currentSession({ forceRefresh: true }).then(
          (next) => (next ? setSession(next) : void signOut(SESSION_ENDED)),
          // Offline for a moment: keep the session and try again; a refused refresh token signs out above.
          () => setTimeout(reload, RETRY_REFRESH_MS),
        );
      },
      Math.min(Math.max(remaining - lead, 0), MAX_TIMER_MS),
    );
    return () => clearTimeout(timer);
  }, [session, signOut, reload]);

  const signedIn = session !== undefined && session !== null;
  const live = useMemo(() => (signedIn ? createLiveConnection(websocketUrl, accessToken) : null), [websocketUrl, signedIn]);
  useEffect(() => () => live?.dispose(), [live]);
  const client = useMemo(
    () => (signedIn && live ? createApiClient(apiUrl, accessToken, undefined, live.client) : null),
    [apiUrl, signedIn, live],
  );

  if (session === undefined) return <main className="sign-in" aria-busy="true" />;
  if (!session || !client || !live) {
    return (
      <AuthPage
        notice={notice}
        localPool={cognito.endpoint !== undefined}
        onSignedIn={() => {
          setNotice(null);
          reload();
        }}
      />
    );
  }
  return (
    <Provider value={client}>
      <NotesPage key={session.email} session={session} live={live} onSignOut={(reason) => void signOut(reason)} />
    </Provider>
  );
}
