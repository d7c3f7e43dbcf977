import { readFile, writeFile } from "node:fs/promises";
import { fileURLToPath } from "node:url";
import { printSchemaSDL } from "../src/graphql/schema.ts";

/** `npm run schema`: writes schema.graphql at the repo root; `--check` fails if it is stale. */
const target = fileURLToPath(new URL("../../../schema.graphql", import.meta.url));
const sdl = printSchemaSDL();
if (process.argv.includes("--check")) {
  const committed = await readFile(target, "utf8").catch(() => "");
  if (committed !== sdl) {
    process.stderr.write("schema.graphql is stale: run `npm run schema` and commit it.\n");
    process.exit(1);
  }
  process.stdout.write("schema.graphql matches the code.\n");
} else {
  await writeFile(target, sdl);
  process.stdout.write(`Wrote ${target}\n`);
}
