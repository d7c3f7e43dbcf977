import * as Attachment from "@notes/core/attachment";
import { requireCaller } from "../context.ts";
import { builder } from "../builder.ts";
import { log } from "../../log.ts";

// An S3 object the API failed to delete is the only residue a failure may leave: it is logged.
Attachment.onLeftover((message, details) => log.warn(message, details));

export const AttachmentType = builder.objectRef<Attachment.Attachment>("Attachment").implement({
  description: "A file on a note, stored in S3.",
  fields: (t) => ({
    fileName: t.exposeString("fileName", { description: "As given at upload, without any directory part." }),
    contentType: t.exposeString("contentType"),
    size: t.exposeInt("size", { description: "Bytes, as stored." }),
    url: t.string({
      description: `Presigned download URL, valid ${Attachment.limits.downloadExpiresInSeconds / 60} minutes; saves as fileName.`,
      resolve: (attachment) => Attachment.downloadUrl(attachment),
    }),
  }),
});

const UploadFieldType = builder.objectRef<Attachment.Upload["fields"][number]>("UploadField").implement({
  fields: (t) => ({
    name: t.exposeString("name"),
    value: t.exposeString("value"),
  }),
});

const AttachmentUploadType = builder.objectRef<Attachment.Upload>("AttachmentUpload").implement({
  description:
    'POST the file to `url` as multipart/form-data: every field of `fields` in order, then the\nfile as the last field, named "file". Valid until `expiresAt` (about 15 minutes).',
  fields: (t) => ({
    id: t.exposeID("id", { description: "Pass as attachmentUploadId to createNote / updateNote." }),
    url: t.exposeString("url"),
    fields: t.expose("fields", { type: [UploadFieldType] }),
    expiresAt: t.expose("expiresAt", { type: "DateTime" }),
  }),
});

const CreateAttachmentUploadInput = builder.inputType("CreateAttachmentUploadInput", {
  fields: (t) => ({
    fileName: t.string({ required: true, description: "1 to 255 characters once any directory part is dropped." }),
    contentType: t.string({ required: true, description: "A MIME type, e.g. application/pdf." }),
    size: t.int({ required: true, description: "Exact size in bytes, 1 to 10,485,760 (10 MiB)." }),
  }),
});

builder.mutationFields((t) => ({
  createAttachmentUpload: t.field({
    type: AttachmentUploadType,
    description: "Starts a file upload; attach it with createNote / updateNote.",
    args: { input: t.arg({ type: CreateAttachmentUploadInput, required: true }) },
    resolve: (_root, { input }, context) => Attachment.createUpload(requireCaller(context).id, input),
  }),
}));
