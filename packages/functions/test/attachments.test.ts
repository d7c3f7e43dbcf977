import { createServer, request, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { HeadObjectCommand, PutObjectCommand } from "@aws-sdk/client-s3";
import { pendingUploadKey, uploadKey } from "@notes/core/attachment";
import { s3Client } from "@notes/core/s3";
import { dynamo } from "@notes/core/dynamo";
import { s3Settings } from "@notes/core/s3-settings";
import { ulid } from "ulid";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { LOCAL_S3_PATH } from "../src/local/s3rver.ts";
import { captureLogs } from "../src/log.ts";
import { createUpload, download, expectError, graphql, postFile, uploadFile } from "./attachment-client.ts";
import { CREATE, DELETE, READ, UPDATE, expectData, startLocalApi, type LocalApi } from "./hardening/local-api.ts";

// Attachments end to end on the real local server: dynalite and s3rver on disk, over real HTTP.

const MiB = 1024 * 1024;
let api: LocalApi;
let restoreLogs: () => void;
let userCount = 0;
/** What the function writes (its workers' lines). */
const lambdaLines: string[] = [];
/** Between the function and s3rver: passes everything but fails what a test asks for. */
const s3Faults = { failCopies: false, failDeletes: false, unreachable: false };
let s3Proxy: Server;

beforeAll(async () => {
  restoreLogs = captureLogs(() => {}, "SILENT");
  s3Proxy = createServer((req, res) => {
    if (s3Faults.unreachable) return void req.socket.destroy();
    if ((s3Faults.failCopies && req.headers["x-amz-copy-source"]) || (s3Faults.failDeletes && req.method === "DELETE")) {
      res.writeHead(500, { "content-type": "application/xml" });
      res.end("<Error><Code>InternalError</Code><Message>injected</Message></Error>");
      return;
    }
    const target = new URL(api.url);
    const forwarded = request(
      { host: target.hostname, port: target.port, path: req.url, method: req.method, headers: req.headers },
      (upstream) => {
        res.writeHead(upstream.statusCode!, upstream.headers);
        upstream.pipe(res);
      },
    );
    req.pipe(forwarded);
  });
  await new Promise<void>((resolve) => s3Proxy.listen(0, "127.0.0.1", resolve));
  const s3Endpoint = `http://127.0.0.1:${(s3Proxy.address() as AddressInfo).port}${LOCAL_S3_PATH}`;
  api = await startLocalApi({ lambdaEnv: { S3_ENDPOINT: s3Endpoint }, onLambdaLine: (line) => lambdaLines.push(line) });
});
afterAll(async () => {
  await api?.close();
  s3Proxy?.closeAllConnections();
  await new Promise((resolve) => s3Proxy?.close(resolve));
  restoreLogs?.();
});

async function newUser(): Promise<string> {
  return api.token(`files-user-${++userCount}-${Date.now()}`);
}

const text = (value: string) => Buffer.from(value, "utf8");

async function createNote(token: string, input: Record<string, unknown>) {
  return graphql(api.url, token, CREATE, { input });
}

async function notesOf(token: string) {
  const listed = await graphql(api.url, token, "{ notes(first: 100) { edges { node { id content attachment { fileName } } } } }");
  return expectData(listed).notes.edges.map((edge: { node: unknown }) => edge.node);
}

describe("createAttachmentUpload validation", () => {
  const good = { fileName: "a.txt", contentType: "text/plain", size: 10 };

  it.each([
    ["10 MiB exactly", { size: 10 * MiB }],
    ["1 byte", { size: 1 }],
    ["a 255-character name", { fileName: `${"n".repeat(251)}.txt` }],
    ["255 emoji (code points, not UTF-16 units)", { fileName: "🎉".repeat(255) }],
    ["a MIME type with parameters", { contentType: 'text/plain; charset="utf-8"' }],
    ["a vendor MIME type", { contentType: "application/vnd.openxmlformats-officedocument.wordprocessingml.document" }],
  ])("accepts %s", async (_label, change) => {
    const upload = await createUpload(api.url, await newUser(), { ...good, ...change });
    expect(upload.id).toMatch(/^[0-9A-HJKMNP-TV-Z]{26}$/);
    expect(Date.parse(upload.expiresAt) - Date.now()).toBeGreaterThan(14 * 60_000);
    expect(upload.fields.at(-1)!.name).toBe("X-Amz-Signature");
  });

  it.each([
    ["10 MiB + 1 byte", { size: 10 * MiB + 1 }, "size"],
    ["0 bytes", { size: 0 }, "size"],
    ["a negative size", { size: -5 }, "size"],
    ["a 256-character name", { fileName: `${"n".repeat(252)}.txt` }, "fileName"],
    ["an empty name", { fileName: "" }, "fileName"],
    ["a name of only whitespace", { fileName: " \t " }, "fileName"],
    ["a directory with no file name", { fileName: "docs/" }, "fileName"],
    ["a name that is ..", { fileName: "a/.." }, "fileName"],
    ["a NUL character", { fileName: "a\u0000b.txt" }, "fileName"],
    ["a newline", { fileName: "a\nb.txt" }, "fileName"],
    ["a C1 control", { fileName: "a\u0085b.txt" }, "fileName"],
    ["DEL", { fileName: "a\u007fb.txt" }, "fileName"],
    ["a type without a subtype", { contentType: "text" }, "contentType"],
    ["a type with spaces", { contentType: "text/ plain" }, "contentType"],
    ["an empty type", { contentType: "" }, "contentType"],
    ["a type with a header injection", { contentType: "text/plain\r\nx-evil: 1" }, "contentType"],
    ["a 256-character type", { contentType: `application/${"x".repeat(244)}` }, "contentType"],
  ])("refuses %s with BAD_USER_INPUT on %s", async (_label, change, field) => {
    const token = await newUser();
    expectError(await graphql(api.url, token, CREATE_UPLOAD_QUERY, { input: { ...good, ...change } }), "BAD_USER_INPUT", field);
  });

  it("needs a token", async () => {
    expectError(await graphql(api.url, undefined, CREATE_UPLOAD_QUERY, { input: good }), "UNAUTHENTICATED");
  });
});

const CREATE_UPLOAD_QUERY = "mutation($input: CreateAttachmentUploadInput!) { createAttachmentUpload(input: $input) { id } }";

describe("attach and download", () => {
  it("drops directory parts from the file name (../../etc/x is x) and keeps the key its own", async () => {
    const token = await newUser();
    for (const [given, stored] of [
      ["../../etc/x", "x"],
      ["C:\\Users\\me\\report.pdf", "report.pdf"],
    ]) {
      const id = await uploadFile(api.url, token, { fileName: given!, contentType: "text/plain", bytes: text("x") });
      const note = expectData(await createNote(token, { content: given, attachmentUploadId: id })).createNote;
      expect(note.attachment.fileName).toBe(stored);
      expect(decodeURIComponent(new URL(note.attachment.url).pathname)).not.toContain("..");
    }
  });

  it("round-trips a unicode file name and saves under it (RFC 6266 filename*)", async () => {
    const token = await newUser();
    const bytes = text("grüezi");
    const id = await uploadFile(api.url, token, { fileName: "Zürich 日本 🎉.pdf", contentType: "application/pdf", bytes });
    const note = expectData(await createNote(token, { content: "unicode", attachmentUploadId: id })).createNote;
    expect(note.attachment).toMatchObject({ fileName: "Zürich 日本 🎉.pdf", contentType: "application/pdf", size: bytes.length });
    const got = await download(note.attachment.url);
    expect(got.bytes).toEqual(bytes);
    expect(got.headers.get("content-type")).toBe("application/pdf");
    const disposition = got.headers.get("content-disposition")!;
    expect(disposition.startsWith("attachment;")).toBe(true);
    const encoded = /filename\*=UTF-8''(.+)$/.exec(disposition)![1]!;
    expect(decodeURIComponent(encoded)).toBe("Zürich 日本 🎉.pdf");
  });

  it("round-trips a 10 MiB file byte for byte", async () => {
    const token = await newUser();
    const bytes = Buffer.alloc(10 * MiB);
    for (let i = 0; i < bytes.length; i += 4096) bytes.writeUInt32BE((i * 2654435761) >>> 0, i);
    const id = await uploadFile(api.url, token, { fileName: "big.bin", contentType: "application/octet-stream", bytes });
    const note = expectData(await createNote(token, { content: "big", attachmentUploadId: id })).createNote;
    expect(note.attachment.size).toBe(10 * MiB);
    const got = await download(note.attachment.url);
    expect(got.bytes.length).toBe(bytes.length);
    expect(got.bytes.equals(bytes)).toBe(true);
  });

  it("keeps pending uploads out of the notes list and under keys no user id can name", async () => {
    const token = await newUser();
    await createUpload(api.url, token, { fileName: "a.txt", contentType: "text/plain", size: 3 });
    expect(await notesOf(token)).toEqual([]);
    expect(pendingUploadKey("01ARZ3NDEKTSV4RRFFQ69G5FAV").userId.length).toBeGreaterThan(256);
  });
});

describe("refused attaches write nothing", () => {
  it("refuses a file larger than declared, and discards it", async () => {
    const token = await newUser();
    const upload = await createUpload(api.url, token, { fileName: "a.txt", contentType: "text/plain", size: 5 });
    // s3rver does not enforce the POST policy; the API's check at attach time must.
    expect((await postFile(upload, text("more than five bytes"), "text/plain")).status).toBe(204);
    const error = expectError(await createNote(token, { content: "x", attachmentUploadId: upload.id }), "BAD_USER_INPUT", "attachmentUploadId");
    expect(error.message).toMatch(/discarded/);
    expect(await notesOf(token)).toEqual([]);
    // Discarded: the same id is now unknown.
    expect(expectError(await createNote(token, { content: "x", attachmentUploadId: upload.id }), "BAD_USER_INPUT").message).toMatch(/does not name/);
  });

  it("refuses a file whose type differs from the declared one, and discards it", async () => {
    const token = await newUser();
    const upload = await createUpload(api.url, token, { fileName: "a.png", contentType: "image/png", size: 4 });
    const swapped = upload.fields.map((field) => (field.name === "Content-Type" ? { ...field, value: "text/html" } : field));
    const form = new FormData();
    for (const { name, value } of swapped) form.append(name, value);
    form.append("file", new Blob([new Uint8Array(text("<b>!"))], { type: "text/html" }), "a.png");
    expect((await fetch(upload.url, { method: "POST", body: form })).status).toBe(204);
    expectError(await createNote(token, { content: "x", attachmentUploadId: upload.id }), "BAD_USER_INPUT", "attachmentUploadId");
    expect(await notesOf(token)).toEqual([]);
  });

  it("refuses an upload that was never POSTed, and lets it attach once it is", async () => {
    const token = await newUser();
    const upload = await createUpload(api.url, token, { fileName: "late.txt", contentType: "text/plain", size: 4 });
    expect(expectError(await createNote(token, { content: "x", attachmentUploadId: upload.id }), "BAD_USER_INPUT").message).toMatch(/no file yet/);
    expect((await postFile(upload, text("late"), "text/plain")).status).toBe(204);
    expectData(await createNote(token, { content: "x", attachmentUploadId: upload.id }));
  });

  it("refuses reusing an attached upload id", async () => {
    const token = await newUser();
    const id = await uploadFile(api.url, token, { fileName: "once.txt", contentType: "text/plain", bytes: text("once") });
    expectData(await createNote(token, { content: "first", attachmentUploadId: id }));
    expectError(await createNote(token, { content: "second", attachmentUploadId: id }), "BAD_USER_INPUT", "attachmentUploadId");
    expect((await notesOf(token)).map((note: { content: string }) => note.content)).toEqual(["first"]);
  });

  it("refuses another user's upload id exactly like an unknown one, and bob never sees alice's file", async () => {
    const alice = await newUser();
    const bob = await newUser();
    const id = await uploadFile(api.url, alice, { fileName: "diary.txt", contentType: "text/plain", bytes: text("secret") });
    const theft = expectError(await createNote(bob, { content: "mine now", attachmentUploadId: id }), "BAD_USER_INPUT", "attachmentUploadId");
    const unknown = expectError(
      await createNote(bob, { content: "x", attachmentUploadId: "01ARZ3NDEKTSV4RRFFQ69G5FAV" }),
      "BAD_USER_INPUT",
    );
    expect(theft.message).toBe(unknown.message);
    expect(await notesOf(bob)).toEqual([]);
    const note = expectData(await createNote(alice, { content: "mine", attachmentUploadId: id })).createNote;
    expect(expectData(await graphql(api.url, bob, READ, { id: note.id })).note).toBeNull();
    expectError(await graphql(api.url, bob, UPDATE, { input: { id: note.id, attachmentUploadId: null } }), "NOT_FOUND");
    expect((await download(note.attachment.url)).bytes).toEqual(text("secret"));
  });

  it("refuses an expired upload", async () => {
    const token = await newUser();
    const id = await uploadFile(api.url, token, { fileName: "old.txt", contentType: "text/plain", bytes: text("old") });
    await dynamo.update({
      Key: pendingUploadKey(id),
      UpdateExpression: "SET expiresAt = :past",
      ExpressionAttributeValues: { ":past": new Date(Date.now() - 1000).toISOString() },
    });
    expect(expectError(await createNote(token, { content: "x", attachmentUploadId: id }), "BAD_USER_INPUT").message).toMatch(/expired/);
    expect(await notesOf(token)).toEqual([]);
  });

  it("gives exactly one of two concurrent attaches of one upload the file", async () => {
    const token = await newUser();
    const id = await uploadFile(api.url, token, { fileName: "race.txt", contentType: "text/plain", bytes: text("race") });
    const results = await Promise.all(
      ["a", "b", "c", "d"].map((content) => createNote(token, { content, attachmentUploadId: id })),
    );
    const winners = results.filter((result) => !result.body.errors);
    expect(winners).toHaveLength(1);
    for (const loser of results.filter((result) => result.body.errors)) expectError(loser, "BAD_USER_INPUT", "attachmentUploadId");
    const notes = await notesOf(token);
    expect(notes).toHaveLength(1);
    expect(notes[0].attachment.fileName).toBe("race.txt");
    expect((await download(winners[0]!.body.data.createNote.attachment.url)).bytes).toEqual(text("race"));
  });
});

describe("replace, remove, delete", () => {
  it("replaces the file; a CONFLICT leaves the old one attached and the new upload attachable", async () => {
    const token = await newUser();
    const first = await uploadFile(api.url, token, { fileName: "v1.txt", contentType: "text/plain", bytes: text("one") });
    const note = expectData(await createNote(token, { content: "doc", attachmentUploadId: first })).createNote;
    const second = await uploadFile(api.url, token, { fileName: "v2.txt", contentType: "text/plain", bytes: text("two") });

    expectError(
      await graphql(api.url, token, UPDATE, { input: { id: note.id, attachmentUploadId: second, expectedVersion: 7 } }),
      "CONFLICT",
    );
    const unchanged = expectData(await graphql(api.url, token, READ, { id: note.id })).note;
    expect(unchanged).toMatchObject({ version: 1, attachment: { fileName: "v1.txt" } });
    expect((await download(unchanged.attachment.url)).bytes).toEqual(text("one"));

    const replaced = expectData(
      await graphql(api.url, token, UPDATE, { input: { id: note.id, attachmentUploadId: second, expectedVersion: 1 } }),
    ).updateNote;
    expect(replaced).toMatchObject({ version: 2, content: "doc", attachment: { fileName: "v2.txt", size: 3 } });
    expect((await download(replaced.attachment.url)).bytes).toEqual(text("two"));
    // The replaced file is gone: its URL (still within its validity) serves nothing.
    expect((await download(unchanged.attachment.url)).status).toBe(404);
  });

  it("removes the file with attachmentUploadId: null", async () => {
    const token = await newUser();
    const id = await uploadFile(api.url, token, { fileName: "gone.txt", contentType: "text/plain", bytes: text("bye") });
    const note = expectData(await createNote(token, { content: "x", attachmentUploadId: id })).createNote;
    const removed = expectData(await graphql(api.url, token, UPDATE, { input: { id: note.id, attachmentUploadId: null } })).updateNote;
    expect(removed).toMatchObject({ version: 2, content: "x", attachment: null });
    expect((await download(note.attachment.url)).status).toBe(404);
  });

  it("deletes the file with its note", async () => {
    const token = await newUser();
    const id = await uploadFile(api.url, token, { fileName: "with-note.txt", contentType: "text/plain", bytes: text("z") });
    const note = expectData(await createNote(token, { content: "x", attachmentUploadId: id })).createNote;
    const deleted = expectData(await graphql(api.url, token, DELETE, { id: note.id })).deleteNote;
    expect(deleted.attachment.fileName).toBe("with-note.txt");
    expect((await download(note.attachment.url)).status).toBe(404);
  });

  it("updates content without touching the file when attachmentUploadId is omitted", async () => {
    const token = await newUser();
    const id = await uploadFile(api.url, token, { fileName: "kept.txt", contentType: "text/plain", bytes: text("kept") });
    const note = expectData(await createNote(token, { content: "x", attachmentUploadId: id })).createNote;
    const updated = expectData(await graphql(api.url, token, UPDATE, { input: { id: note.id, content: "y" } })).updateNote;
    expect(updated.attachment.fileName).toBe("kept.txt");
    expect((await download(updated.attachment.url)).bytes).toEqual(text("kept"));
  });
});

describe("S3 failing mid-request", () => {
  it("masks the failure, creates no note, and leaves the upload attachable", async () => {
    const token = await newUser();
    const id = await uploadFile(api.url, token, { fileName: "flaky.txt", contentType: "text/plain", bytes: text("flaky") });
    s3Faults.failCopies = true;
    try {
      const failed = await createNote(token, { content: "x", attachmentUploadId: id });
      const error = expectError(failed, "INTERNAL_SERVER_ERROR");
      expect(error.message).toBe("Unexpected error.");
      expect(JSON.stringify(failed.body)).not.toMatch(/injected|s3|node_modules/i);
    } finally {
      s3Faults.failCopies = false;
    }
    expect(await notesOf(token)).toEqual([]);
    const note = expectData(await createNote(token, { content: "retry", attachmentUploadId: id })).createNote;
    expect((await download(note.attachment.url)).bytes).toEqual(text("flaky"));
  });

  it("still removes the attachment when the file cannot be deleted, and logs the object left behind", async () => {
    const token = await newUser();
    const id = await uploadFile(api.url, token, { fileName: "stuck.txt", contentType: "text/plain", bytes: text("stuck") });
    const note = expectData(await createNote(token, { content: "x", attachmentUploadId: id })).createNote;
    const mark = lambdaLines.length;
    s3Faults.failDeletes = true;
    try {
      const removed = expectData(await graphql(api.url, token, UPDATE, { input: { id: note.id, attachmentUploadId: null } }));
      expect(removed.updateNote.attachment).toBeNull();
    } finally {
      s3Faults.failDeletes = false;
    }
    const leftovers = lambdaLines.slice(mark).filter((line) => line.startsWith("{")).map((line) => JSON.parse(line)).filter((entry) => entry.message === "S3 object left behind");
    expect(leftovers).toHaveLength(1);
    expect(leftovers[0]).toMatchObject({ level: "WARN", key: expect.stringMatching(/^attachments\//) });
    expect(expectData(await graphql(api.url, token, READ, { id: note.id })).note.attachment).toBeNull();
  });

  it("with S3 unreachable, a replace fails masked and the old file stays attached", async () => {
    const token = await newUser();
    const first = await uploadFile(api.url, token, { fileName: "a.txt", contentType: "text/plain", bytes: text("a") });
    const note = expectData(await createNote(token, { content: "x", attachmentUploadId: first })).createNote;
    const second = await uploadFile(api.url, token, { fileName: "b.txt", contentType: "text/plain", bytes: text("b") });
    s3Faults.unreachable = true;
    try {
      expectError(await graphql(api.url, token, UPDATE, { input: { id: note.id, attachmentUploadId: second } }), "INTERNAL_SERVER_ERROR");
    } finally {
      s3Faults.unreachable = false;
    }
    const read = expectData(await graphql(api.url, token, READ, { id: note.id })).note;
    expect(read).toMatchObject({ version: 1, attachment: { fileName: "a.txt" } });
    expect((await download(read.attachment.url)).bytes).toEqual(text("a"));
  });
});

describe("restart", () => {
  it("removes uploads started over a day ago, objects and records, when the server starts", async () => {
    const token = await newUser();
    const oldId = ulid(Date.now() - 25 * 60 * 60 * 1000);
    const key = uploadKey("stale-user", oldId);
    await dynamo.put({
      Item: { ...pendingUploadKey(oldId), ownerId: "stale-user", key, fileName: "old.txt", contentType: "text/plain", size: 3, state: "pending" },
    });
    await s3Client().send(new PutObjectCommand({ Bucket: s3Settings().bucketName, Key: key, Body: text("old"), ContentType: "text/plain" }));
    const fresh = await uploadFile(api.url, token, { fileName: "fresh.txt", contentType: "text/plain", bytes: text("new") });

    await api.restart();

    expect((await dynamo.get({ Key: pendingUploadKey(oldId) })).Item).toBeUndefined();
    await expect(s3Client().send(new HeadObjectCommand({ Bucket: s3Settings().bucketName, Key: key }))).rejects.toMatchObject({
      name: "NotFound",
    });
    expectData(await createNote(token, { content: "fresh", attachmentUploadId: fresh }));
  });

  it("keeps notes, files and pending uploads across a restart on the same data directory", async () => {
    const token = await newUser();
    const attached = await uploadFile(api.url, token, { fileName: "keep.txt", contentType: "text/plain", bytes: text("kept") });
    const note = expectData(await createNote(token, { content: "x", attachmentUploadId: attached })).createNote;
    const pending = await uploadFile(api.url, token, { fileName: "later.txt", contentType: "text/plain", bytes: text("later") });

    await api.restart();

    const read = expectData(await graphql(api.url, token, READ, { id: note.id })).note;
    expect((await download(read.attachment.url)).bytes).toEqual(text("kept"));
    const later = expectData(await createNote(token, { content: "y", attachmentUploadId: pending })).createNote;
    expect((await download(later.attachment.url)).bytes).toEqual(text("later"));
  });
});
