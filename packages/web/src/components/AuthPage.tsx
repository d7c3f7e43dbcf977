import { useId, useState, type FormEvent, type ReactNode } from "react";
import {
  confirmAccount,
  describeAuthError,
  passwordProblem,
  registerAccount,
  requestPasswordReset,
  setNewPassword,
  signInWithPassword,
} from "../auth/cognito.ts";

interface AuthPageProps {
  /** Why the user is here again, e.g. an ended session. */
  notice: string | null;
  /** The local emulator sends no emails: the page says where its codes are. */
  localPool: boolean;
  onSignedIn(): void;
}

type Step = "sign-in" | "sign-up" | "confirm" | "forgot" | "reset";

const HEADINGS: Record<Step, string> = {
  "sign-in": "Sign in",
  "sign-up": "Create an account",
  confirm: "Confirm your email address",
  forgot: "Reset your password",
  reset: "Choose a new password",
};

const SUBMIT: Record<Step, [idle: string, busy: string]> = {
  "sign-in": ["Sign in", "Signing in…"],
  "sign-up": ["Create account", "Creating account…"],
  confirm: ["Confirm", "Confirming…"],
  forgot: ["Send code", "Sending code…"],
  reset: ["Set new password", "Saving…"],
};

/** Sign in, sign up, confirm the emailed code, and reset a forgotten password: all against the user pool. */
export function AuthPage({ notice, localPool, onSignedIn }: AuthPageProps) {
  const id = useId();
  const [step, setStep] = useState<Step>("sign-in");
  const [email, setEmail] = useState("");
  const [password, setPassword] = useState("");
  const [code, setCode] = useState("");
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [info, setInfo] = useState<string | null>(notice);

  function go(next: Step, message: string | null = null) {
    setStep(next);
    setError(null);
    setInfo(message);
    setCode("");
    if (next === "reset" || next === "sign-up") setPassword("");
  }

  const codeSentTo = (address: string) =>
    `We sent a code to ${address}.` + (localPool ? " Running locally: the code is printed in the npm start output." : "");

  async function signInNow(): Promise<void> {
    const outcome = await signInWithPassword(email.trim(), password);
    if (outcome === "signed-in") return onSignedIn();
    if (outcome === "confirm-sign-up") return go("confirm", "Confirm your email address first with the code we sent you.");
    go("forgot", "Your password must be reset before you can sign in.");
  }

  async function submit(event: FormEvent) {
    event.preventDefault();
    const address = email.trim();
    if (!address) return setError("Enter your email address.");
    if ((step === "sign-up" || step === "reset") && passwordProblem(password)) {
      return setError(`That password is too weak. ${passwordProblem(password)}`);
    }
    setBusy(true);
    setError(null);
    try {
      if (step === "sign-in") await signInNow();
      else if (step === "sign-up") {
        await registerAccount(address, password);
        go("confirm", codeSentTo(address));
      } else if (step === "confirm") {
        await confirmAccount(address, code.trim());
        if (password) await signInNow();
        else go("sign-in", "Your email address is confirmed. Sign in.");
      } else if (step === "forgot") {
        await requestPasswordReset(address);
        go("reset", codeSentTo(address));
      } else {
        await setNewPassword(address, code.trim(), password);
        await signInNow();
      }
    } catch (failure) {
      if ((failure as Error).name === "UserNotConfirmedException") go("confirm", describeAuthError(failure, step));
      else setError(describeAuthError(failure, step));
    } finally {
      setBusy(false);
    }
  }

  const field = (name: string) => `${id}-${name}`;
  const withPassword = step === "sign-in" || step === "sign-up" || step === "reset";
  const withCode = step === "confirm" || step === "reset";

  return (
    <main className="sign-in">
      <h1>Notes</h1>
      <form className="card" aria-labelledby={field("heading")} onSubmit={submit} noValidate>
        <h2 id={field("heading")}>{HEADINGS[step]}</h2>
        {info && (
          <p className="notice" role="status">
            {info}
          </p>
        )}
        <label htmlFor={field("email")}>Email</label>
        <input
          id={field("email")}
          type="email"
          name="username"
          autoComplete="username"
          value={email}
          readOnly={withCode}
          onChange={(e) => setEmail(e.target.value)}
          required
        />
        {withCode && (
          <>
            <label htmlFor={field("code")}>Code from the email</label>
            <input
              id={field("code")}
              name="code"
              inputMode="numeric"
              autoComplete="one-time-code"
              value={code}
              onChange={(e) => setCode(e.target.value)}
              required
            />
          </>
        )}
        {withPassword && (
          <>
            <label htmlFor={field("password")}>{step === "reset" ? "New password" : "Password"}</label>
            <input
              id={field("password")}
              type="password"
              name="password"
              autoComplete={step === "sign-in" ? "current-password" : "new-password"}
              value={password}
              onChange={(e) => setPassword(e.target.value)}
              aria-describedby={step === "sign-in" ? undefined : field("policy")}
              required
            />
            {step !== "sign-in" && (
              <p className="hint" id={field("policy")}>
                At least 8 characters, with upper- and lowercase letters, a number and a symbol.
              </p>
            )}
          </>
        )}
        {error && (
          <p className="error" role="alert">
            {error}
          </p>
        )}
        <button type="submit" className="primary" disabled={busy}>
          {SUBMIT[step][busy ? 1 : 0]}
        </button>
        <div className="actions">{links(step, go)}</div>
      </form>
    </main>
  );
}

function links(step: Step, go: (next: Step) => void): ReactNode {
  const link = (to: Step, text: string) => (
    <button type="button" key={to} onClick={() => go(to)}>
      {text}
    </button>
  );
  if (step === "sign-in") return [link("sign-up", "Create an account"), link("forgot", "Forgot your password?")];
  if (step === "sign-up") return [link("sign-in", "I have an account: sign in")];
  return [link("sign-in", "Back to sign in")];
}
