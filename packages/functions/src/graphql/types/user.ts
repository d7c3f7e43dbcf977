import type { Caller } from "../context.ts";
import { builder } from "../builder.ts";

export const UserType = builder.node(builder.objectRef<Caller>("User"), {
  description: "The signed-in user.",
  id: { resolve: (user) => user.id, description: "The identity provider's subject (`sub`) for this user." },
  // node(id:) names a User only when the id is the caller's sub (relay.ts), so this is the caller.
  loadOne: (id, context) => (context.caller?.id === id ? context.caller : null),
  fields: () => ({}),
});

builder.queryField("me", (t) =>
  t.field({
    type: UserType,
    nullable: true,
    description: "The caller; null without a valid bearer token.",
    resolve: (_root, _args, context) => context.caller,
  }),
);
