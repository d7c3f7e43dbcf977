import SchemaBuilder from "@pothos/core";
import type { Context } from "./context.ts";

/** The one typed schema builder; every file in ./types registers itself on it. */
export const builder = new SchemaBuilder<{
  Context: Context;
  Scalars: { DateTime: { Input: string; Output: string } };
  DefaultFieldNullability: false;
}>({
  defaultFieldNullability: false,
});

builder.queryType({});
builder.mutationType({});
