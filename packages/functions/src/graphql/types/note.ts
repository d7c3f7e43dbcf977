import * as Note from "@notes/core/note";
import { noteEvent, type NoteEvent } from "@notes/core/note-event";
import type { GraphQLResolveInfo } from "graphql";
import { requireCaller, type Context } from "../context.ts";
import { builder } from "../builder.ts";
import { AttachmentType } from "./attachment.ts";

export const NoteType = builder.node(builder.objectRef<Note.Note>("Note"), {
  description: "A personal note. Only its owner can see or change it.",
  id: { resolve: (note) => note.id, description: "Time-sortable ULID." },
  // node(id:)/nodes(ids:): only the caller's notes; anything else is null, as for note(id:).
  loadMany: (ids, context) => {
    const userId = requireCaller(context).id;
    return Promise.all(ids.map((id) => Note.get(userId, id)));
  },
  fields: (t) => ({
    content: t.exposeString("content"),
    attachment: t.expose("attachment", { type: AttachmentType, nullable: true }),
    createdAt: t.expose("createdAt", { type: "DateTime" }),
    updatedAt: t.expose("updatedAt", { type: "DateTime" }),
    version: t.exposeInt("version", { description: "1 on create, +1 on every update." }),
  }),
});

const NoteConnectionType = builder.connectionObject(
  { type: NoteType, name: "NoteConnection", description: "A page of notes, newest first (Relay cursor connection)." },
  { name: "NoteEdge" },
);

/** A page read by core (Note.list) in the connection's shape; cursors are core's. */
function toConnection(page: Note.Page) {
  const edges = page.notes.map((note) => ({ cursor: Note.cursorFor(note, page.searchHash), node: note }));
  return {
    edges,
    pageInfo: {
      hasNextPage: page.hasNextPage,
      // Paging is forward only; the Relay spec lets hasPreviousPage be false then.
      hasPreviousPage: false,
      startCursor: edges[0]?.cursor ?? null,
      endCursor: page.endCursor,
    },
  };
}

const CreateNoteInput = builder.inputType("CreateNoteInput", {
  fields: (t) => ({
    content: t.string({ required: true, description: "1 to 50,000 characters, not only whitespace." }),
    attachmentUploadId: t.id({ description: "An upload from createAttachmentUpload: its file is attached." }),
  }),
});

const UpdateNoteInput = builder.inputType("UpdateNoteInput", {
  description:
    "Only the fields given change; `attachmentUploadId` replaces the attachment, `attachmentUploadId: null` removes it.",
  fields: (t) => ({
    id: t.id({ required: true }),
    content: t.string(),
    attachmentUploadId: t.id(),
    expectedVersion: t.int({
      description: "Apply only if the note is at this version; otherwise CONFLICT.",
    }),
  }),
});

builder.queryFields((t) => ({
  note: t.field({
    type: NoteType,
    nullable: true,
    description: "The caller's note; null if missing or not the caller's.",
    args: { id: t.arg.id({ required: true }) },
    resolve: (_root, args, context) => Note.get(requireCaller(context).id, String(args.id)),
  }),
  notes: t.field({
    type: NoteConnectionType,
    description: "The caller's notes, newest first; only those matching `search` when it is given.",
    args: {
      first: t.arg.int({ defaultValue: Note.limits.pageSizeDefault }),
      after: t.arg.string(),
      search: t.arg.string({
        description:
          "1 to 200 characters with at least one word: notes in which every word is the start of a word of the content or file name (case and accents ignored).",
      }),
    },
    // Priced at the page size requested, at most the maximum (larger ones are refused unread).
    complexity: (args) => ({ field: 1, multiplier: Math.min(args.first ?? Note.limits.pageSizeDefault, Note.limits.pageSizeMax) }),
    resolve: async (_root, args, context) => toConnection(await Note.list(requireCaller(context).id, args)),
  }),
}));

builder.mutationFields((t) => ({
  createNote: t.field({
    type: NoteType,
    args: { input: t.arg({ type: CreateNoteInput, required: true }) },
    resolve: async (_root, { input }, context, info) =>
      published("CREATED", await Note.create(requireCaller(context).id, input), context, info),
  }),
  updateNote: t.field({
    type: NoteType,
    description: "Only the fields given change.",
    args: { input: t.arg({ type: UpdateNoteInput, required: true }) },
    resolve: async (_root, { input }, context, info) =>
      published("UPDATED", await Note.update(requireCaller(context).id, { ...input, id: String(input.id) }), context, info),
  }),
  deleteNote: t.field({
    type: NoteType,
    description: "Returns the note as it was; its file is deleted.",
    args: { id: t.arg.id({ required: true }) },
    resolve: async (_root, args, context, info) =>
      published("DELETED", await Note.remove(requireCaller(context).id, String(args.id)), context, info),
  }),
}));

// Loaded by the first mutation, not at cold start.
const loadPublisher = () => import("../../realtime/publish.ts");

/**
 * The one place a note change becomes an event: after the write succeeded, before the mutation
 * answers (a Lambda may be frozen once it has answered), to the caller's live subscriptions.
 */
async function published(type: NoteEvent["type"], note: Note.Note, context: Context, info: GraphQLResolveInfo) {
  const { publishNoteEvent } = await loadPublisher();
  await publishNoteEvent(info.schema, context, requireCaller(context).id, noteEvent(type, note));
  return note;
}
