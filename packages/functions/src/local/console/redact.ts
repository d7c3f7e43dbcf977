/**
 * What the local console shows of a request: never a credential. Variables whose name says they
 * hold one, and any string shaped like a JWT (in variables or in the document's literals), are
 * replaced; headers are never shown, and this is the one place that decides.
 */
export const REDACTED = "[redacted]";

const SECRET_NAME = /authorization|token|password|secret|cookie|credential|api[-_]?key/i;
const JWT = /\beyJ[A-Za-z0-9_-]{2,}\.[A-Za-z0-9_-]{2,}\.[A-Za-z0-9_-]*/g;
const BEARER = /\bBearer\s+[A-Za-z0-9._~+/=-]+/gi;

export interface RequestShown {
  document?: string;
  variables?: unknown;
  operationName?: string;
  persistedQueryHash?: string;
}

export function redactRequest(request: RequestShown | undefined): RequestShown | undefined {
  if (!request) return undefined;
  const shown: RequestShown = { ...request };
  if (request.document !== undefined) shown.document = redactText(request.document);
  if (request.variables !== undefined) shown.variables = redactValue(request.variables, 0);
  return shown;
}

export function redactText(text: string): string {
  return text.replace(BEARER, `Bearer ${REDACTED}`).replace(JWT, REDACTED);
}

function redactValue(value: unknown, depth: number): unknown {
  if (typeof value === "string") return redactText(value);
  if (depth > 32 || value === null || typeof value !== "object") return value;
  if (Array.isArray(value)) return value.map((item) => redactValue(item, depth + 1));
  const copy: Record<string, unknown> = {};
  for (const [key, item] of Object.entries(value)) {
    copy[key] = SECRET_NAME.test(key) && item !== null && item !== undefined ? REDACTED : redactValue(item, depth + 1);
  }
  return copy;
}
