import { readFileSync, writeFileSync } from "node:fs";
import { fileURLToPath } from "node:url";

/**
 * Adds the web app's current operations (codegen's persisted-documents.json) to the API's
 * trusted-documents manifest. Append-only: hashes of earlier releases stay, so a tab still
 * running last week's web app keeps working. `npm run codegen` runs it after codegen.
 */
export const GENERATED_MANIFEST = fileURLToPath(new URL("../src/gql/persisted-documents.json", import.meta.url));
export const TRUSTED_MANIFEST = fileURLToPath(
  new URL("../../functions/src/graphql/trusted-documents.json", import.meta.url),
);

export function mergedManifest(trusted: Record<string, string>, current: Record<string, string>): Record<string, string> {
  const merged = { ...trusted };
  for (const [hash, document] of Object.entries(current)) {
    if (merged[hash] !== undefined && merged[hash] !== document) {
      throw new Error(`trusted-documents.json holds another document under ${hash}`);
    }
    merged[hash] = document;
  }
  return merged;
}

function readManifest(path: string): Record<string, string> {
  try {
    return JSON.parse(readFileSync(path, "utf8")) as Record<string, string>;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return {};
    throw error;
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const before = readManifest(TRUSTED_MANIFEST);
  const merged = mergedManifest(before, readManifest(GENERATED_MANIFEST));
  writeFileSync(TRUSTED_MANIFEST, JSON.stringify(merged, null, 2) + "\n");
  const added = Object.keys(merged).length - Object.keys(before).length;
  console.log(`trusted-documents.json: ${Object.keys(merged).length} documents (${added} new)`);
}
