import { VisibleError } from "@notes/core/errors";
import { requireCaller, type Context } from "./context.ts";

/** At most this many ids per `nodes(ids:)`, like the largest page of `notes`. */
export const MAX_NODE_IDS = 100;

type GlobalID = { typename: string; id: string };

/**
 * @pothos/plugin-relay's options for the ids the API already hands out: a note's ULID and a
 * user's `sub` are unique across both types, so they stay raw instead of becoming base64
 * "Type:id" global ids (every client that stored an id keeps working). An id names the caller's
 * User when it is the caller's `sub`, and a Note otherwise; the Note loader answers null for
 * anything that is not one of the caller's notes.
 */
export const relayOptions = {
  clientMutationId: "omit",
  cursorType: "String",
  encodeGlobalID: (_typename: string, id: bigint | number | string) => String(id),
  decodeGlobalID: (id: string, context: Context): GlobalID => ({
    typename: context.caller?.id === id ? "User" : "Note",
    id,
  }),
  nodeQueryOptions: {
    description: "A note or the caller's User by id; null if missing or not the caller's.",
    resolve: (
      _root: unknown,
      args: { id: GlobalID },
      context: Context,
      _info: unknown,
      resolveNode: (id: GlobalID) => unknown,
    ) => {
      requireCaller(context);
      return resolveNode(args.id);
    },
  },
  nodesQueryOptions: {
    description: `The same as \`node\` for up to ${MAX_NODE_IDS} ids, in the order given.`,
    // Priced by the ids given, at most the maximum (more are refused before any lookup).
    complexity: (args: { ids: readonly unknown[] }) => ({ field: 1, multiplier: Math.min(args.ids.length, MAX_NODE_IDS) }),
    resolve: (
      _root: unknown,
      args: { ids: GlobalID[] },
      context: Context,
      _info: unknown,
      resolveNodes: (ids: GlobalID[]) => Promise<unknown[]>,
    ) => {
      requireCaller(context);
      if (args.ids.length > MAX_NODE_IDS) {
        throw new VisibleError("BAD_USER_INPUT", `"ids" must hold at most ${MAX_NODE_IDS} ids.`, { field: "ids" });
      }
      return resolveNodes(args.ids);
    },
  },
} as const;
