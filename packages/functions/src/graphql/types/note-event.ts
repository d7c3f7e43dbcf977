import type { NoteEvent } from "@notes/core/note-event";
import { GraphQLError } from "graphql";
import { builder } from "../builder.ts";
import { NoteType } from "./note.ts";

const NoteEventTypeEnum = builder.enumType("NoteEventType", {
  values: ["CREATED", "UPDATED", "DELETED"] as const,
});

const NoteEventType = builder.objectRef<NoteEvent>("NoteEvent").implement({
  description: "A change to one of the caller's notes.",
  fields: (t) => ({
    type: t.expose("type", { type: NoteEventTypeEnum }),
    id: t.exposeID("id", { description: "The note's id." }),
    version: t.exposeInt("version", {
      description: "The note's version after the change (the last version for DELETED).",
    }),
    note: t.expose("note", {
      type: NoteType,
      nullable: true,
      description: "The note after the change; null for DELETED, or when too large for one message (refetch it).",
    }),
  }),
});

builder.subscriptionFields((t) => ({
  noteEvents: t.field({
    type: NoteEventType,
    description: "Every change to the caller's notes, from any client. Served over WebSocket (graphql-transport-ws).",
    // The WebSocket handler stores the subscription and executes it once per event (realtime/); over
    // HTTP there is no long-lived connection to deliver on, so the request gets an error, not a stream.
    subscribe: () => {
      throw new GraphQLError(
        "Subscriptions are served over WebSocket (graphql-transport-ws protocol) at this URL, not over HTTP.",
        { extensions: { code: "BAD_REQUEST" } },
      );
    },
    resolve: (event) => event as NoteEvent,
  }),
}));
