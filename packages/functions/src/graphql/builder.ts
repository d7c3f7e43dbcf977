import SchemaBuilder from "@pothos/core";
import RelayPlugin from "@pothos/plugin-relay";
import type { Context } from "./context.ts";
import { relayOptions } from "./relay.ts";

/** The one typed schema builder; every file in ./types registers itself on it. */
export const builder = new SchemaBuilder<{
  Context: Context;
  Scalars: { DateTime: { Input: string; Output: string } };
  DefaultFieldNullability: false;
}>({
  plugins: [RelayPlugin],
  defaultFieldNullability: false,
  relay: relayOptions,
});

builder.queryType({});
builder.mutationType({});
