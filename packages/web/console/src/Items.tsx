import type { ItemsView, UserView } from "@notes/functions/local/console/types";
import { formatBytes, useResource } from "./api.ts";
import { TableHead } from "./TableHead.tsx";

/** The notes table, read-only: notes by user, then pending uploads and other kinds of item. */
export function Items() {
  const items = useResource<ItemsView>("items");
  const users = useResource<UserView[]>("users");
  if (items.error) return <p className="error">{items.error}</p>;
  if (!items.data) return <p className="hint">Loading…</p>;
  const email = (userId: string) => users.data?.find((user) => user.sub === userId)?.email ?? "user not in the local pool";
  const { notesByUser, pendingUploads, otherItems } = items.data;
  return (
    <section>
      <p className="hint">
        The notes table, read-only. <button onClick={items.reload}>Reload</button>
      </p>
      <h2>Notes</h2>
      {notesByUser.length === 0 && <p className="empty">No notes yet — sign in to the web app, or run createNote in GraphiQL.</p>}
      {notesByUser.map(({ userId, notes }) => (
        <details key={userId} open>
          <summary>
            {email(userId)} <span className="mono">{userId}</span> · {notes.length} note{notes.length === 1 ? "" : "s"}
          </summary>
          <table aria-label={`Notes of ${email(userId)}`}>
            <TableHead columns={["Content", "Version", "Created", "Updated", "Attachment", "Id"]} />
            <tbody>
              {notes.map((note) => (
                <tr key={note.noteId}>
                  <td className="content">{note.content}</td>
                  <td className="number">{note.version}</td>
                  <td>{new Date(note.createdAt).toLocaleString()}</td>
                  <td>{new Date(note.updatedAt).toLocaleString()}</td>
                  <td>{note.attachment ? `${note.attachment.fileName} (${formatBytes(note.attachment.size)})` : "—"}</td>
                  <td className="mono">{note.noteId}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </details>
      ))}
      <h2>Pending uploads</h2>
      {pendingUploads.length === 0 ? (
        <p className="empty">No upload records: an upload appears here from createAttachmentUpload until it expires (a day).</p>
      ) : (
        <table aria-label="Pending uploads">
          <TableHead columns={["File", "Type", "Size", "State", "Owner", "Created", "Key"]} />
          <tbody>
            {pendingUploads.map((upload) => (
              <tr key={String(upload.userId)}>
                <td>{String(upload.fileName)}</td>
                <td>{String(upload.contentType)}</td>
                <td className="number">{formatBytes(Number(upload.size))}</td>
                <td>{upload.state === "pending" ? "pending" : `${String(upload.state)} to ${String(upload.claimedFor ?? "—")}`}</td>
                <td>{email(String(upload.ownerId))}</td>
                <td>{new Date(String(upload.createdAt)).toLocaleString()}</td>
                <td className="mono">{String(upload.key)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      <h2>Other items{otherItems.length > 0 && ` (${otherItems.length})`}</h2>
      {otherItems.length === 0 ? (
        <p className="empty">No other kinds of item in the table.</p>
      ) : (
        <table aria-label="Other items">
          <TableHead columns={["userId (partition)", "noteId (sort)", "Other attributes"]} />
          <tbody>
            {otherItems.map(({ userId, noteId, ...rest }, i) => (
              <tr key={i}>
                {/* Partitions padded past any user id's length (core's trick) are shown without the padding. */}
                <td className="mono">{String(userId).replace(/~{4,}$/, "~…")}</td>
                <td className="mono">{String(noteId)}</td>
                <td className="mono">{JSON.stringify(rest)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}
