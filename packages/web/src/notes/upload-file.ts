/** The API's limit (SPEC: 10 MiB); checked here first so a too-large file is never sent. */
export const MAX_ATTACHMENT_BYTES = 10 * 1024 * 1024;

export interface UploadTarget {
  url: string;
  fields: { name: string; value: string }[];
}

/** A failure the user can act on; its message is what the form shows. */
export class UploadError extends Error {}

const sizeFormat = new Intl.NumberFormat("en", { maximumFractionDigits: 1 });

/** Bytes in the units people read (1 KB = 1,024 bytes, so the 10 MiB limit reads "10 MB"). */
export function formatBytes(bytes: number): string {
  if (bytes < 1024) return bytes === 1 ? "1 byte" : `${bytes} bytes`;
  if (bytes < 1024 * 1024) return `${sizeFormat.format(bytes / 1024)} KB`;
  return `${sizeFormat.format(bytes / (1024 * 1024))} MB`;
}

/** Why this file cannot be uploaded, or null when it can. */
export function fileProblem(file: File): string | null {
  if (file.size > MAX_ATTACHMENT_BYTES) {
    return `“${file.name}” is too large (${formatBytes(file.size)}): attachments can be at most ${formatBytes(MAX_ATTACHMENT_BYTES)}. Choose a smaller file.`;
  }
  if (file.size === 0) return `“${file.name}” is empty. Choose a file with something in it.`;
  return null;
}

/**
 * POSTs the file to the presigned URL as the API describes it: every field in order, the file
 * last as "file". XMLHttpRequest rather than fetch, because only it reports upload progress.
 */
export function postFile(
  target: UploadTarget,
  file: File,
  onProgress: (loaded: number, total: number) => void,
  signal: AbortSignal,
): Promise<void> {
  return new Promise((resolve, reject) => {
    const request = new XMLHttpRequest();
    request.upload.addEventListener("progress", (event) => {
      if (event.lengthComputable) onProgress(event.loaded, event.total);
    });
    request.addEventListener("load", () => {
      if (request.status >= 200 && request.status < 300) resolve();
      else reject(new UploadError(storageRefusal(request.status, request.responseText)));
    });
    request.addEventListener("error", () =>
      reject(new UploadError("The upload failed: the file storage could not be reached. Check your connection and choose the file again.")),
    );
    request.addEventListener("abort", () => reject(new DOMException("The upload was cancelled.", "AbortError")));
    signal.addEventListener("abort", () => request.abort(), { once: true });

    const form = new FormData();
    for (const { name, value } of target.fields) form.append(name, value);
    form.append("file", file, file.name);
    request.open("POST", target.url);
    request.send(form);
  });
}

/** S3 answers a refused POST with an XML <Error>; its Code says which of the policy's rules failed. */
function storageRefusal(status: number, body: string): string {
  const code = /<Code>([^<]+)<\/Code>/.exec(body)?.[1];
  const message = /<Message>([^<]+)<\/Message>/.exec(body)?.[1] ?? "";
  if (status === 413 || code === "EntityTooLarge") {
    return `The file is too large: attachments can be at most ${formatBytes(MAX_ATTACHMENT_BYTES)}.`;
  }
  if (code === "AccessDenied" && /expired/i.test(message)) {
    return "The upload link expired before the file was sent. Choose the file again.";
  }
  return `The upload failed (the file storage answered HTTP ${status}). Choose the file again to retry.`;
}
