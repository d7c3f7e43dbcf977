import * as Note from "@notes/core/note";
import { VisibleError } from "@notes/core/errors";
import { builder } from "./builder.ts";
import { requireCaller, type Caller, type Context } from "./context.ts";

/** At most this many ids per `nodes(ids:)`, like the largest page of `notes`. */
export const MAX_NODE_IDS = 100;

/** What `node(id:)` can answer: one of the caller's notes, or the caller. */
type NodeValue = Note.Note | Caller;

/**
 * Relay's Node interface over the ids the API already hands out: a note's ULID and a user's
 * `sub` are unique across both types, so they stay raw instead of becoming base64 "Type:id"
 * global ids (every client that stored an id keeps working). An id names the caller's User when
 * it is the caller's `sub`, and a Note otherwise; the Note lookup answers null for anything that
 * is not one of the caller's notes.
 */
export const NodeInterface = builder.interfaceRef<NodeValue>("Node").implement({
  // The only User a Node field ever answers is the caller's own object (loadNodes below).
  resolveType: (node, context) => (node === context.caller ? "User" : "Note"),
  fields: (t) => ({ id: t.exposeID("id") }),
});

/** The Relay connection spec's page info; `NoteConnection` fills it. */
export const PageInfoType = builder
  .objectRef<{ hasNextPage: boolean; hasPreviousPage: boolean; startCursor: string | null; endCursor: string | null }>(
    "PageInfo",
  )
  .implement({
    fields: (t) => ({
      hasNextPage: t.exposeBoolean("hasNextPage"),
      hasPreviousPage: t.exposeBoolean("hasPreviousPage"),
      startCursor: t.exposeString("startCursor", { nullable: true }),
      endCursor: t.exposeString("endCursor", { nullable: true }),
    }),
  });

/** Each id is looked up once per request, however many `node`/`nodes` fields name it. */
const lookups = new WeakMap<Context, Map<string, Promise<NodeValue | null>>>();

function loadNodes(ids: readonly string[], context: Context): Promise<(NodeValue | null)[]> {
  const caller = requireCaller(context);
  let cache = lookups.get(context);
  if (!cache) lookups.set(context, (cache = new Map()));
  return Promise.all(
    ids.map((id) => {
      if (id === caller.id) return caller;
      let note = cache.get(id);
      if (!note) cache.set(id, (note = Note.get(caller.id, id)));
      return note;
    }),
  );
}

builder.queryFields((t) => ({
  node: t.field({
    type: NodeInterface,
    nullable: true,
    description: "A note or the caller's User by id; null if missing or not the caller's.",
    args: { id: t.arg.id({ required: true }) },
    resolve: async (_root, args, context) => (await loadNodes([String(args.id)], context))[0] ?? null,
  }),
  nodes: t.field({
    type: [NodeInterface],
    nullable: { list: false, items: true },
    description: `The same as \`node\` for up to ${MAX_NODE_IDS} ids, in the order given.`,
    args: { ids: t.arg.idList({ required: true }) },
    resolve: (_root, args, context) => {
      requireCaller(context);
      if (args.ids.length > MAX_NODE_IDS) {
        throw new VisibleError("BAD_USER_INPUT", `"ids" must hold at most ${MAX_NODE_IDS} ids.`, {
          field: "ids",
        });
      }
      return loadNodes(args.ids.map(String), context);
    },
  }),
}));
