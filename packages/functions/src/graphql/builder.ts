import SchemaBuilder from "@pothos/core";
import ComplexityPlugin from "@pothos/plugin-complexity";
import RelayPlugin from "@pothos/plugin-relay";
import type { Context } from "./context.ts";
import { relayOptions } from "./relay.ts";

/** The one typed schema builder; every file in ./types registers itself on it. */
export const builder = new SchemaBuilder<{
  Context: Context;
  Scalars: { DateTime: { Input: string; Output: string } };
  DefaultFieldNullability: false;
}>({
  plugins: [RelayPlugin, ComplexityPlugin],
  defaultFieldNullability: false,
  relay: relayOptions,
  // Every field costs 1; a list costs what it selects times the size its `complexity` option
  // gives. The limit is checked by armor.ts's useCostLimit, before execution (so no resolver wrap).
  complexity: { defaultComplexity: 1, defaultListMultiplier: 1, disabled: true },
});

builder.queryType({});
builder.mutationType({});
builder.subscriptionType({});
