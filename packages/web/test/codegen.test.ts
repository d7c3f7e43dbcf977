import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { generate } from "@graphql-codegen/cli";
import { buildSchema, Kind, validate, type DocumentNode, type GraphQLError } from "graphql";
import { describe, expect, it } from "vitest";
import { printSchemaSDL } from "@notes/functions/graphql/schema";
import codegenConfig from "../codegen.ts";
import * as generated from "../src/gql/graphql.ts";

const ROOT = fileURLToPath(new URL("../../../", import.meta.url));
const GENERATED_DIR = fileURLToPath(new URL("../src/gql/", import.meta.url));
const committedSchema = () => readFileSync(join(ROOT, "schema.graphql"), "utf8");

/** Every document the web app sends, as codegen compiled it (operations with their fragments). */
const documents = Object.entries(generated).filter((entry): entry is [string, DocumentNode] => {
  const value = entry[1] as Partial<DocumentNode> | undefined;
  return typeof value === "object" && value?.kind === Kind.DOCUMENT;
});
const operations = documents.filter(([, doc]) => doc.definitions.some((d) => d.kind === Kind.OPERATION_DEFINITION));

function problems(schemaSdl: string): string[] {
  const schema = buildSchema(schemaSdl);
  return operations.flatMap(([name, doc]) => validate(schema, doc).map((e: GraphQLError) => `${name}: ${e.message}`));
}

describe("codegen output under packages/web/src/gql", () => {
  it("is what `npm run codegen` generates from schema.graphql and the app's operations", async () => {
    const outputs: { filename: string; content: string }[] = await generate(
      { ...codegenConfig, silent: true, errorsOnly: true },
      false,
    );
    expect(outputs.length).toBeGreaterThan(0);
    for (const output of outputs) {
      const path = resolve(output.filename);
      expect(existsSync(path), `${path} is missing: run npm run codegen`).toBe(true);
      expect(readFileSync(path, "utf8"), `${output.filename} is stale: run npm run codegen`).toBe(output.content);
    }
    // A file left over from an operation or option that no longer exists is stale as well.
    const expected = outputs.map((output) => resolve(output.filename)).sort();
    const present = readdirSync(GENERATED_DIR).map((file) => resolve(GENERATED_DIR, file)).sort();
    expect(present).toEqual(expected);
  }, 60_000);

  it("is generated from a schema.graphql that matches the server's schema", () => {
    // Otherwise the operations below would be checked against a contract the API no longer serves.
    expect(committedSchema(), "schema.graphql is stale: run npm run schema, then npm run codegen").toBe(printSchemaSDL());
  });

  it("holds the app's operations, each valid against the committed schema.graphql", () => {
    expect(operations.map(([name]) => name).sort()).toEqual([
      "CreateAttachmentUploadDocument",
      "CreateNoteDocument",
      "DeleteNoteDocument",
      "MeDocument",
      "NoteDocument",
      "NoteEventsDocument",
      "NotesPageDocument",
      "UpdateNoteDocument",
    ]);
    expect(problems(committedSchema())).toEqual([]);
  });

  it("catches a breaking schema change: a field the app selects disappears or changes type", () => {
    const versionRenamed = committedSchema().replace(/^(\s*)version: Int!$/m, "$1revision: Int!");
    expect(versionRenamed).not.toBe(committedSchema());
    expect(problems(versionRenamed)).toContainEqual(expect.stringMatching(/Cannot query field "version" on type "Note"/));

    const firstBecomesString = committedSchema().replace(/(notes\([^)]*?first: )Int = 20/, "$1String");
    expect(firstBecomesString).not.toBe(committedSchema());
    expect(problems(firstBecomesString)).toContainEqual(expect.stringMatching(/NotesPageDocument: Variable "\$first"/));
  });
});
