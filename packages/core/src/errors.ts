/** Codes a client may see in `errors[].extensions.code` (SPEC "Error codes"). */
export type VisibleErrorCode =
  | "UNAUTHENTICATED"
  | "BAD_USER_INPUT"
  | "NOT_FOUND"
  | "CONFLICT"
  | "SERVICE_UNAVAILABLE";

/**
 * A failure the caller is allowed to see, with a stable code. Anything that is not a
 * VisibleError is treated as unexpected and masked by the API's error formatter.
 */
export class VisibleError extends Error {
  override readonly name = "VisibleError";
  constructor(
    readonly code: VisibleErrorCode,
    message: string,
    readonly details?: Record<string, unknown>,
  ) {
    super(message);
  }
}
