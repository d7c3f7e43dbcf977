import { VisibleError } from "@notes/core/errors";

/** Who is calling: the verified token's subject. */
export interface Caller {
  id: string;
}

export interface Context {
  caller: Caller | null;
  requestId: string;
}

export function requireCaller(context: Context): Caller {
  if (!context.caller) {
    throw new VisibleError("UNAUTHENTICATED", "A valid bearer token is required.");
  }
  return context.caller;
}
