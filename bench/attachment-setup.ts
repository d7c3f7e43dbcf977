import type { Bundle } from "./build.ts";
import type { ColdStartSpec } from "./cold-start-child.ts";
import { notesBody } from "./events.ts";
import { progress, type World } from "./world.ts";

/** The attachment cold start lists one page of this many notes, each carrying a file. */
export const ATTACHMENT_NOTES = 20;

/**
 * The cold start whose first request lists notes carrying attachments (each download URL presigned),
 * set up through the API as a client does it; or why it cannot be measured in this tree.
 */
export async function attachmentColdStart(world: World, ours: Bundle): Promise<{ spec: ColdStartSpec } | { reason: string }> {
  if (!world.attachments) {
    const reason = "not measurable: schema.graphql has no Attachment object type on Note (attachments not merged)";
    progress(`attachment cold start: ${reason}`);
    return { reason };
  }
  progress(`attachment cold start: ${ATTACHMENT_NOTES} notes with a file each, uploaded through the API (presigned POST)`);
  const side = await world.contender(ours.file);
  const token = await world.issuer.token("bench-attachment-user", { expiresAt: "2h" });
  const graphql = async <T>(query: string, variables: Record<string, unknown>): Promise<T> => {
    const answer = await side.invoke(token, JSON.stringify({ query, variables }));
    const parsed = JSON.parse(answer.body ?? "{}") as { data?: T; errors?: unknown[] };
    if (answer.statusCode !== 200 || parsed.errors || !parsed.data) throw new Error(`setting attachments up: ${answer.body?.slice(0, 300)}`);
    return parsed.data;
  };
  for (let i = 1; i <= ATTACHMENT_NOTES; i++) {
    const file = Buffer.from(`Attachment ${i}: a small text file, as people attach.\n`);
    const { createAttachmentUpload: upload } = await graphql<{
      createAttachmentUpload: { id: string; url: string; fields: { name: string; value: string }[] };
    }>(
      "mutation Upload($input: CreateAttachmentUploadInput!) { createAttachmentUpload(input: $input) { id url fields { name value } } }",
      { input: { fileName: `notes-${i}.txt`, contentType: "text/plain", size: file.length } },
    );
    const form = new FormData();
    for (const field of upload.fields) form.append(field.name, field.value);
    form.append("file", new Blob([file], { type: "text/plain" }), `notes-${i}.txt`);
    const posted = await fetch(upload.url, { method: "POST", body: form });
    if (!posted.ok) throw new Error(`upload ${i} answered ${posted.status}: ${(await posted.text()).slice(0, 300)}`);
    await graphql(
      "mutation Attach($input: CreateNoteInput!) { createNote(input: $input) { id attachment { fileName } } }",
      { input: { content: `Benchmark note ${i} with a file.`, attachmentUploadId: upload.id } },
    );
  }
  await side.stop();
  return { spec: { bundle: ours.file, first: { token, body: notesBody(world.noteFields, ATTACHMENT_NOTES), expect: '"url":"' } } };
}
