import { useCallback, useEffect, useRef, useState } from "react";
import { useClient } from "urql";
import { describeApiError, type ApiProblem } from "../api.ts";
import { CreateAttachmentUploadMutation } from "../operations.ts";
import { fileProblem, postFile, UploadError } from "./upload-file.ts";

export type UploadState =
  | { phase: "idle" }
  | { phase: "uploading"; file: File; loaded: number; total: number }
  | { phase: "ready"; file: File; uploadId: string }
  | { phase: "failed"; message: string };

const IDLE: UploadState = { phase: "idle" };

/**
 * One file's way to the storage: the size check, createAttachmentUpload, then the POST with
 * progress. The note is saved later with the upload id; choosing another file or clearing
 * abandons this one (never attached, it expires on its own).
 */
export function useAttachmentUpload(onProblem?: (problem: ApiProblem) => void) {
  const client = useClient();
  const [state, setState] = useState<UploadState>(IDLE);
  const running = useRef<AbortController | null>(null);

  useEffect(() => () => running.current?.abort(), []);

  const clear = useCallback(() => {
    running.current?.abort();
    running.current = null;
    setState(IDLE);
  }, []);

  const start = useCallback(
    async (file: File) => {
      running.current?.abort();
      const refused = fileProblem(file);
      if (refused) {
        running.current = null;
        setState({ phase: "failed", message: refused });
        return;
      }
      const controller = new AbortController();
      running.current = controller;
      setState({ phase: "uploading", file, loaded: 0, total: file.size });

      const result = await client
        .mutation(CreateAttachmentUploadMutation, {
          input: { fileName: file.name, contentType: file.type || "application/octet-stream", size: file.size },
        })
        .toPromise();
      if (controller.signal.aborted) return;
      const upload = result.data?.createAttachmentUpload;
      if (!upload) {
        const problem: ApiProblem = result.error
          ? describeApiError(result.error)
          : { code: "UNEXPECTED", message: "Something went wrong. Please try again." };
        setState({ phase: "failed", message: problem.message });
        onProblem?.(problem);
        return;
      }
      try {
        await postFile(
          upload,
          file,
          (loaded, total) => {
            if (!controller.signal.aborted) setState({ phase: "uploading", file, loaded, total });
          },
          controller.signal,
        );
      } catch (error) {
        if (controller.signal.aborted) return;
        const message =
          error instanceof UploadError ? error.message : "The upload failed. Choose the file again to retry.";
        setState({ phase: "failed", message });
        return;
      }
      if (!controller.signal.aborted) setState({ phase: "ready", file, uploadId: upload.id });
    },
    [client, onProblem],
  );

  return { state, start, clear };
}
