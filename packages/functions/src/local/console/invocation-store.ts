import type { Invocation } from "../invocation.ts";
import { separateMetrics } from "./emf.ts";
import { redactRequest } from "./redact.ts";
import type { InvocationDetail, InvocationSummary } from "./types.ts";

/**
 * The last invocations, newest first, in a bounded ring; listeners hear of each new one. Requests
 * are kept redacted: nothing the console can show holds a credential.
 */
export class InvocationStore {
  readonly #ring: Invocation[] = [];
  #next = 0;
  readonly #listeners = new Set<(summary: InvocationSummary) => void>();

  constructor(readonly capacity = 200) {}

  add(inv: Invocation): void {
    const kept: Invocation = { ...inv, request: redactRequest(inv.request), logLines: [...inv.logLines] };
    if (this.#ring.length < this.capacity) this.#ring.push(kept);
    else this.#ring[this.#next] = kept;
    this.#next = (this.#next + 1) % this.capacity;
    const summary = summarize(kept);
    for (const listener of this.#listeners) listener(summary);
  }

  list(): InvocationSummary[] {
    const newestFirst: InvocationSummary[] = [];
    for (let i = 1; i <= this.#ring.length; i++) {
      newestFirst.push(summarize(this.#ring[(this.#next - i + this.capacity) % this.capacity]!));
    }
    return newestFirst;
  }

  get(requestId: string): InvocationDetail | undefined {
    const inv = this.#ring.find((kept) => kept.requestId === requestId);
    return inv && { ...inv, ...separateMetrics(inv.logLines) };
  }

  subscribe(listener: (summary: InvocationSummary) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }
}

function summarize({ logLines: _lines, request: _request, ...summary }: Invocation): InvocationSummary {
  return summary;
}
