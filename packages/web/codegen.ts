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
      presetConfig: { fragmentMasking: false },
      config: {
        scalars: { DateTime: "string" },
        enumsAsTypes: true,
        useTypeImports: true,
        strictScalars: true,
        avoidOptionals: { field: true, inputValue: false, object: false },
        documentMode: "documentNode",
      },
    },
  },
};

export default config;
