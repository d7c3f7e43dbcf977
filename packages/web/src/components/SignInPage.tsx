import { useId, useState, type FormEvent } from "react";
import { signInWithCognito } from "../auth/cognito-sign-in.ts";
import { signInLocally } from "../auth/local-sign-in.ts";
import type { Session } from "../auth/session.ts";
import type { AuthConfig } from "../config.ts";

interface SignInPageProps {
  auth: AuthConfig;
  /** Why the user is here again, e.g. an expired session. */
  notice: string | null;
  onSignedIn(session: Session): void;
}

export function SignInPage({ auth, notice, onSignedIn }: SignInPageProps) {
  const id = useId();
  const [userName, setUserName] = useState("");
  const [password, setPassword] = useState("");
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);

  async function submit(event: FormEvent) {
    event.preventDefault();
    if (!userName.trim()) {
      setError(auth.kind === "local" ? "Enter a user name." : "Enter your email address.");
      return;
    }
    setBusy(true);
    setError(null);
    try {
      onSignedIn(
        auth.kind === "local"
          ? await signInLocally(auth.signInUrl, userName.trim())
          : await signInWithCognito(auth, userName.trim(), password),
      );
    } catch (failure) {
      setError((failure as Error).message);
      setBusy(false);
    }
  }

  return (
    <main className="sign-in">
      <h1>Notes</h1>
      <form className="card" aria-labelledby={`${id}-heading`} onSubmit={submit} noValidate>
        <h2 id={`${id}-heading`}>Sign in</h2>
        {notice && (
          <p className="notice" role="status">
            {notice}
          </p>
        )}
        {auth.kind === "local" ? (
          <>
            <label htmlFor={`${id}-user`}>User name</label>
            <input
              id={`${id}-user`}
              name="username"
              autoComplete="username"
              maxLength={256}
              value={userName}
              onChange={(e) => setUserName(e.target.value)}
              aria-describedby={error ? `${id}-hint ${id}-error` : `${id}-hint`}
              aria-invalid={error !== null && !userName.trim()}
              required
            />
            <p className="hint" id={`${id}-hint`}>
              Local development: the local server signs you in as any user name. Each name has its own notes.
            </p>
          </>
        ) : (
          <>
            <label htmlFor={`${id}-email`}>Email</label>
            <input
              id={`${id}-email`}
              type="email"
              name="username"
              autoComplete="username"
              value={userName}
              onChange={(e) => setUserName(e.target.value)}
              required
            />
            <label htmlFor={`${id}-password`}>Password</label>
            <input
              id={`${id}-password`}
              type="password"
              name="password"
              autoComplete="current-password"
              value={password}
              onChange={(e) => setPassword(e.target.value)}
              required
            />
          </>
        )}
        {error && (
          <p className="error" id={`${id}-error`} role="alert">
            {error}
          </p>
        )}
        <button type="submit" className="primary" disabled={busy}>
          {busy ? "Signing in…" : "Sign in"}
        </button>
      </form>
    </main>
  );
}
