/** Largest request body either runtime accepts (SPEC "Limits"); bigger ones get 413 unread. */
export const MAX_BODY_BYTES = 1_048_576;

export function payloadTooLargeBody(): string {
  return JSON.stringify({
    errors: [
      {
        message: `Request body is larger than ${MAX_BODY_BYTES} bytes.`,
        extensions: { code: "PAYLOAD_TOO_LARGE" },
      },
    ],
  });
}
