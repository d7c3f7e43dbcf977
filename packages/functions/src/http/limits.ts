import { clientErrorBody } from "../graphql/errors.ts";
import { elapsedMs } from "../log.ts";
import { writeRequestLine } from "../request-log.ts";

/** Largest request body either runtime accepts (SPEC "Limits"); bigger ones get 413 unread. */
export const MAX_BODY_BYTES = 1_048_576;

/** A refusal the runtimes answer themselves, before yoga: status and a GraphQL-shaped body. */
export interface TransportRefusal {
  status: number;
  code: string;
  body: string;
}

function refusal(status: number, code: string, message: string): TransportRefusal {
  return { status, code, body: clientErrorBody(message, code) };
}

export const payloadTooLarge = refusal(
  413,
  "PAYLOAD_TOO_LARGE",
  `Request body is larger than ${MAX_BODY_BYTES} bytes.`,
);

/** JSON text must be UTF-8 (RFC 8259); decoding invalid bytes would silently alter content. */
export const invalidUtf8 = refusal(400, "BAD_REQUEST", "Request body is not valid UTF-8.");

/** A Host header no URL can be built from (`[bad`): the request names no resource. */
export const invalidHost = refusal(400, "BAD_REQUEST", "The Host header is not a valid host.");

export const REFUSAL_HEADERS = { "content-type": "application/json; charset=utf-8" } as const;

/** The request's one log line and its metrics, for a request a runtime refused before yoga saw it. */
export function logRefusal(
  refused: TransportRefusal,
  requestId: string | undefined,
  method: string,
  receivedAt: number,
): void {
  writeRequestLine({
    requestId,
    method,
    status: refused.status,
    durationMs: elapsedMs(receivedAt),
    operationName: null,
    errorCodes: [refused.code],
    userHash: null,
  });
}
