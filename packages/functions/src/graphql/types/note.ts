import * as Note from "@notes/core/note";
import { requireCaller } from "../context.ts";
import { builder } from "../builder.ts";
import { AttachmentType } from "./attachment.ts";
import { NodeInterface, PageInfoType } from "../relay.ts";

const NoteType = builder.objectRef<Note.Note>("Note").implement({
  description: "A personal note. Only its owner can see or change it.",
  interfaces: [NodeInterface],
  fields: (t) => ({
    id: t.exposeID("id", { description: "Time-sortable ULID." }),
    content: t.exposeString("content"),
    attachment: t.expose("attachment", { type: AttachmentType, nullable: true }),
    createdAt: t.expose("createdAt", { type: "DateTime" }),
    updatedAt: t.expose("updatedAt", { type: "DateTime" }),
    version: t.exposeInt("version", { description: "1 on create, +1 on every update." }),
  }),
});

const NoteEdgeType = builder.objectRef<Note.Note>("NoteEdge").implement({
  fields: (t) => ({
    cursor: t.string({ resolve: (note) => Note.cursorFor(note) }),
    node: t.field({ type: NoteType, resolve: (note) => note }),
  }),
});

const NoteConnectionType = builder.objectRef<Note.Page>("NoteConnection").implement({
  description: "A page of notes, newest first (Relay cursor connection).",
  fields: (t) => ({
    edges: t.field({ type: [NoteEdgeType], resolve: (page) => page.notes }),
    pageInfo: t.field({
      type: PageInfoType,
      resolve: (page) => ({
        hasNextPage: page.hasNextPage,
        // Paging is forward only; the Relay spec lets hasPreviousPage be false then.
        hasPreviousPage: false,
        startCursor: page.notes.length ? Note.cursorFor(page.notes[0]!) : null,
        endCursor: page.endCursor,
      }),
    }),
  }),
});

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
    description: "The caller's notes, newest first.",
    args: {
      first: t.arg.int({ defaultValue: Note.limits.pageSizeDefault }),
      after: t.arg.string(),
    },
    resolve: (_root, args, context) => Note.list(requireCaller(context).id, args),
  }),
}));

builder.mutationFields((t) => ({
  createNote: t.field({
    type: NoteType,
    args: { input: t.arg({ type: CreateNoteInput, required: true }) },
    resolve: (_root, { input }, context) => Note.create(requireCaller(context).id, input),
  }),
  updateNote: t.field({
    type: NoteType,
    description: "Only the fields given change.",
    args: { input: t.arg({ type: UpdateNoteInput, required: true }) },
    resolve: (_root, { input }, context) =>
      Note.update(requireCaller(context).id, { ...input, id: String(input.id) }),
  }),
  deleteNote: t.field({
    type: NoteType,
    description: "Returns the note as it was; its file is deleted.",
    args: { id: t.arg.id({ required: true }) },
    resolve: (_root, args, context) => Note.remove(requireCaller(context).id, String(args.id)),
  }),
}));
