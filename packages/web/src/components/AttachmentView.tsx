import { useState } from "react";
import type { Note } from "../notes/use-notes.ts";
import { formatBytes } from "../notes/upload-file.ts";

export type Attachment = NonNullable<Note["attachment"]>;

/** A note's file: name (the download link), type and size, and a preview when it is an image. */
export function AttachmentView({ attachment }: { attachment: Attachment }) {
  const [previewFailed, setPreviewFailed] = useState(false);
  const isImage = attachment.contentType.toLowerCase().startsWith("image/");
  return (
    <figure className="attachment">
      {isImage && !previewFailed && (
        <img
          className="attachment-preview"
          src={attachment.url}
          alt={`Preview of ${attachment.fileName}`}
          onError={() => setPreviewFailed(true)}
        />
      )}
      <figcaption>
        <span className="muted">Attachment:</span>{" "}
        <a href={attachment.url} download={attachment.fileName} title={`Download ${attachment.fileName}`}>
          {attachment.fileName}
        </a>{" "}
        <span className="muted attachment-meta">
          ({attachment.contentType}, {formatBytes(attachment.size)})
        </span>
      </figcaption>
    </figure>
  );
}
