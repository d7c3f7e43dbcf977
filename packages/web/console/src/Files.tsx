import type { FileView, ItemsView } from "@notes/functions/local/console/types";
import { formatAge, formatBytes, useResource } from "./api.ts";
import { TableHead } from "./TableHead.tsx";

/** The bucket's objects, each downloadable, with the note its key belongs to. */
export function Files() {
  const files = useResource<FileView[]>("files");
  const items = useResource<ItemsView>("items");
  if (files.error) return <p className="error">{files.error}</p>;
  if (!files.data) return <p className="hint">Loading…</p>;
  const noteContent = (noteId: string | null) =>
    items.data?.notesByUser.flatMap(({ notes }) => notes).find((note) => note.noteId === noteId)?.content;
  return (
    <section>
      <p className="hint">
        The attachments bucket on the local S3. <button onClick={files.reload}>Reload</button>
      </p>
      {files.data.length === 0 ? (
        <p className="empty">No files yet — attach a file to a note in the web app.</p>
      ) : (
        <table aria-label="Files">
          <TableHead columns={["Key", "Size", "Type", "Age", "Note", ""]} />
          <tbody>
            {files.data.map((file) => (
              <tr key={file.key}>
                <td className="mono">{file.key}</td>
                <td className="number">{formatBytes(file.size)}</td>
                <td>{file.contentType ?? "—"}</td>
                <td>{formatAge(file.lastModified)}</td>
                <td>
                  {file.kind === "attachment" ? (
                    <>
                      <span className="content">{noteContent(file.noteId) ?? "(note gone)"}</span> <span className="mono">{file.noteId}</span>
                    </>
                  ) : file.kind === "upload" ? (
                    "pending upload (not attached)"
                  ) : (
                    "—"
                  )}
                </td>
                <td>
                  <a href={file.url}>Download</a>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}
