import { usePersistedOperations } from "@graphql-yoga/plugin-persisted-operations";
import type { Plugin } from "graphql-yoga";
// No import attribute: SST bundles the Lambda with esbuild 0.18, which cannot parse `with { type: "json" }`.
import manifest from "./trusted-documents.json";
import { clientErrorShape } from "./errors.ts";

/**
 * Trusted documents: the web app's operations, by the SHA-256 of their text, from the append-only
 * manifest that `npm run codegen` keeps (bundled into the Lambda). A client sends
 * `extensions.persistedQuery.sha256Hash` instead of the query. With `only`, nothing else runs;
 * otherwise any query text runs too, as for every GraphQL client.
 */
const trustedDocuments = new Map<string, string>(Object.entries(manifest));

/** The text of a trusted document by its SHA-256 hash (also what WebSocket subscriptions send). */
export function trustedDocument(hash: string): string | undefined {
  return trustedDocuments.get(hash);
}

export function useTrustedDocuments(options: { only: boolean }): Plugin {
  return usePersistedOperations({
    allowArbitraryOperations: !options.only,
    getPersistedOperation: (hash) => trustedDocument(hash) ?? null,
    customErrors: {
      persistedQueryOnly: clientErrorShape(
        "This API runs only trusted documents: send extensions.persistedQuery.sha256Hash of a document in its manifest, not a query.",
        "PERSISTED_QUERY_ONLY",
        403,
      ),
      notFound: clientErrorShape("No trusted document has this sha256Hash.", "PERSISTED_QUERY_NOT_FOUND", 400),
      keyNotFound: clientErrorShape(
        options.only
          ? "Send extensions.persistedQuery.sha256Hash of a trusted document."
          : "Send a query, or extensions.persistedQuery.sha256Hash of a trusted document.",
        "BAD_REQUEST",
        400,
      ),
    },
  });
}
