/** A signed-in user: the bearer token the API verifies, plus what the UI shows about it. */
export interface Session {
  token: string;
  userId: string;
  /** Milliseconds since the epoch, from the token's `exp`. */
  expiresAt: number;
}

export const SESSION_STORAGE_KEY = "notes.session";
// Signing out this long before `exp` avoids sending a token that expires in flight.
const EXPIRY_MARGIN_MS = 30_000;

/** Reads `sub` and `exp` from a JWT; the API verifies the signature, the UI only needs the claims. */
export function sessionFromToken(token: string): Session {
  const payload = token.split(".")[1];
  if (!payload) throw new Error("The sign-in response did not contain a valid token.");
  const claims = JSON.parse(decodeBase64Url(payload)) as { sub?: unknown; exp?: unknown; email?: unknown };
  if (typeof claims.sub !== "string" || typeof claims.exp !== "number") {
    throw new Error("The sign-in response did not contain a valid token.");
  }
  const userId = typeof claims.email === "string" ? claims.email : claims.sub;
  return { token, userId, expiresAt: claims.exp * 1000 };
}

function decodeBase64Url(text: string): string {
  const base64 = text.replace(/-/g, "+").replace(/_/g, "/").padEnd(Math.ceil(text.length / 4) * 4, "=");
  const bytes = Uint8Array.from(atob(base64), (c) => c.charCodeAt(0));
  return new TextDecoder().decode(bytes);
}

export function isExpired(session: Session, now = Date.now()): boolean {
  return session.expiresAt - EXPIRY_MARGIN_MS <= now;
}

/** The session survives reloads and is shared by the app's tabs (localStorage). */
export function loadSession(storage: Storage = localStorage): Session | null {
  try {
    const stored = storage.getItem(SESSION_STORAGE_KEY);
    if (!stored) return null;
    const session = sessionFromToken((JSON.parse(stored) as { token: string }).token);
    return isExpired(session) ? null : session;
  } catch {
    return null;
  }
}

export function saveSession(session: Session, storage: Storage = localStorage): void {
  storage.setItem(SESSION_STORAGE_KEY, JSON.stringify({ token: session.token }));
}

export function clearSession(storage: Storage = localStorage): void {
  storage.removeItem(SESSION_STORAGE_KEY);
}
