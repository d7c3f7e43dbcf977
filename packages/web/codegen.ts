import { createHash } from "node:crypto";
import { fileURLToPath } from "node:url";
import type { CodegenConfig } from "@graphql-codegen/cli";

// Absolute paths, so `npm run codegen` from the root and the staleness test agree on every input.
const webDir = fileURLToPath(new URL(".", import.meta.url));
const rootDir = fileURLToPath(new URL("../..", import.meta.url));

/** Typed operations for the web app, generated from the committed API contract. */
const config: CodegenConfig = {
  overwrite: true,
  schema: `${rootDir}schema.graphql`,
  documents: [`${webDir}src/**/*.{ts,tsx}`, `!${webDir}src/gql/**`],
  ignoreNoDocuments: false,
  generates: {
    [`${webDir}src/gql/`]: {
      preset: "client",
      // persisted-documents.json: hash → document; the app sends only the hash (trusted documents).
      presetConfig: {
        fragmentMasking: false,
        // Plain hex, as clients send it in extensions.persistedQuery.sha256Hash (not codegen's "sha256:" form).
        persistedDocuments: { hashAlgorithm: (document: string) => createHash("sha256").update(document).digest("hex") },
      },
      config: {
        scalars: { DateTime: "string" },
        enumsAsTypes: true,
        useTypeImports: true,
        strictScalars: true,
        avoidOptionals: { field: true, inputValue: false, object: false },
      },
    },
  },
};

export default config;
