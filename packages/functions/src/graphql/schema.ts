import { lexicographicSortSchema, printSchema } from "graphql";
import { builder } from "./builder.ts";
import "./types/date-time.ts";
import "./types/user.ts";
import "./types/attachment.ts";
import "./types/note.ts";
import "./types/note-event.ts";

export const schema = builder.toSchema();

/** The text of `schema.graphql`, the contract codegen-typed clients build from. */
export function printSchemaSDL(): string {
  return printSchema(lexicographicSortSchema(schema)) + "\n";
}
