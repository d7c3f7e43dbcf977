import type { Caller } from "../context.ts";
import { builder } from "../builder.ts";
import { NodeInterface } from "../relay.ts";

export const UserType = builder.objectRef<Caller>("User").implement({
  description: "The signed-in user.",
  interfaces: [NodeInterface],
  fields: (t) => ({
    id: t.exposeID("id", { description: "The identity provider's subject (`sub`) for this user." }),
  }),
});

builder.queryField("me", (t) =>
  t.field({
    type: UserType,
    nullable: true,
    description: "The caller; null without a valid bearer token.",
    resolve: (_root, _args, context) => context.caller,
  }),
);
