import { useState, type FormEvent } from "react";
import type { UserView } from "@notes/functions/local/console/types";
import { postJson, useResource } from "./api.ts";
import { TableHead } from "./TableHead.tsx";

/**
 * GraphiQL (rendered by yoga) starts with the headers kept in its localStorage when no tab holds
 * them: same origin, so the console puts a fresh token there before opening it.
 */
const GRAPHIQL_HEADERS_KEY = "graphiql:headers";
const GRAPHIQL_QUERY = "query Me {\n  me { id }\n}\n";

export function Users() {
  const users = useResource<UserView[]>("users");
  const [message, setMessage] = useState<string | null>(null);

  async function create(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const form = event.currentTarget;
    const data = new FormData(form);
    try {
      const user = await postJson<UserView>("users", { email: data.get("email"), password: data.get("password") });
      setMessage(`Created ${user.email}.`);
      form.reset();
      users.reload();
    } catch (error) {
      setMessage((error as Error).message);
    }
  }

  async function openGraphiQL(user: UserView) {
    // Opened first, inside the click: a window opened after an await is a popup browsers block.
    const tab = window.open("about:blank", "_blank");
    try {
      const { accessToken } = await postJson<{ accessToken: string }>("token", { username: user.username });
      localStorage.setItem(GRAPHIQL_HEADERS_KEY, JSON.stringify({ Authorization: `Bearer ${accessToken}` }, null, 2));
      const url = `/graphql?query=${encodeURIComponent(GRAPHIQL_QUERY)}`;
      if (tab) tab.location.href = url;
      else window.open(url, "_blank");
      setMessage(`GraphiQL opened as ${user.email ?? user.username}: its Headers tab holds a token valid for one hour.`);
    } catch (error) {
      tab?.close();
      setMessage((error as Error).message);
    }
  }

  return (
    <section>
      <form className="create" aria-label="Create a user" onSubmit={(event) => void create(event)}>
        <label>
          Email <input name="email" type="email" required placeholder="carol@example.com" />
        </label>
        <label>
          Password <input name="password" type="text" placeholder="(generated when empty)" />
        </label>
        <button type="submit">Create user</button>
      </form>
      {message && <p role="status">{message}</p>}
      {users.error && <p className="error">{users.error}</p>}
      {users.data && users.data.length === 0 && (
        <p className="empty">No users yet — create one here, sign up in the web app, or run npm run token -- alice.</p>
      )}
      {users.data && users.data.length > 0 && (
        <table aria-label="Users">
          <TableHead columns={["Email", "Sub", "Confirmed", "Created", ""]} />
          <tbody>
            {users.data.map((user) => (
              <tr key={user.username}>
                <td>{user.email ?? user.username}</td>
                <td className="mono">{user.sub}</td>
                <td>{user.confirmed ? "yes" : `no (${user.status})`}</td>
                <td>{user.createdAt ? new Date(user.createdAt).toLocaleString() : "—"}</td>
                <td>
                  <button disabled={!user.confirmed} onClick={() => void openGraphiQL(user)}>
                    Open GraphiQL as this user
                  </button>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}
