import { sessionFromToken, type Session } from "./session.ts";

/** Local development: the local server's dev issuer signs a token for any user name. */
export async function signInLocally(signInUrl: string, userId: string): Promise<Session> {
  let response: Response;
  try {
    response = await fetch(signInUrl, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ userId }),
    });
  } catch {
    throw new Error("Could not reach the local server. Is `npm start` running?");
  }
  const body = (await response.json().catch(() => ({}))) as { token?: unknown; error?: unknown };
  if (!response.ok || typeof body.token !== "string") {
    if (response.status === 404) {
      throw new Error("This server has no dev sign-in; it is only available on the local server.");
    }
    throw new Error(typeof body.error === "string" ? body.error : `Sign-in failed (HTTP ${response.status}).`);
  }
  return sessionFromToken(body.token);
}
