import { mkdir, mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { crc32, deflateSync } from "node:zlib";
import { UpdateUserPoolClientCommand } from "@aws-sdk/client-cognito-identity-provider";
import type { BrowserContext, Locator, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { APP_CLIENT_SETTINGS, localCognitoClient, readPoolIds } from "@notes/functions/local/cognito";
import { PAGE_SIZE } from "../src/config.ts";
import { CreateAttachmentUploadDocument, CreateNoteDocument, DeleteNoteDocument, MeDocument } from "../src/gql/graphql.ts";
import { buildWebApp } from "../scripts/build.ts";
import { graphqlClient } from "../../functions/test/graphql-client.ts";
import { npmStart, type NpmStart } from "../../functions/test/npm-start.ts";
import { hasChromium, launchChromium } from "./chromium.ts";

const ARTIFACTS = fileURLToPath(new URL("../../../test-artifacts/web-app/", import.meta.url));
const MAX_ATTACHMENT_BYTES = 10 * 1024 * 1024;
const UPLOAD_HASH = (CreateAttachmentUploadDocument as { __meta__?: { hash?: string } }).__meta__!.hash!;
const PASSWORD = "Correct-Horse-7";

describe.skipIf(!hasChromium)("the notes web app in headless Chromium, against npm start", () => {
  let dataDir: string;
  let profileDir: string;
  let server: NpmStart;
  let origin: string;
  let port: number;
  let context: BrowserContext;
  let page: Page;
  const pageErrors: string[] = [];
  const graphqlBodies: string[] = [];
  // Every run of the server: confirmation codes are read from their output, as a user would.
  const runs: NpmStart[] = [];
  const output = () => runs.map((run) => run.stdout()).join("\n");
  const storagePosts: string[] = [];
  let aliceFileUrl = "";

  async function startServer(onPort: number) {
    // As a stage deployed with TRUSTED_DOCUMENTS_ONLY=true: the app must work on its hashes alone.
    server = await npmStart({ PORT: String(onPort), DATA_DIR: dataDir, TRUSTED_DOCUMENTS_ONLY: "true", LOG_LEVEL: "WARN" });
    runs.push(server);
    origin = new URL(server.url).origin;
    port = Number(new URL(server.url).port);
  }

  beforeAll(async () => {
    await buildWebApp();
    dataDir = await mkdtemp(join(tmpdir(), "notes-e2e-data-"));
    profileDir = await mkdtemp(join(tmpdir(), "notes-e2e-chromium-"));
    await mkdir(ARTIFACTS, { recursive: true });
    await startServer(0);
    context = await launchChromium(profileDir);
    context.on("page", watchForErrors);
    context.on("request", (request) => {
      const { pathname } = new URL(request.url());
      if (request.method() === "POST" && pathname === "/graphql") graphqlBodies.push(request.postData() ?? "");
      if (request.method() === "POST" && pathname.startsWith("/s3/")) storagePosts.push(request.url());
    });
    page = context.pages()[0] ?? (await context.newPage());
    watchForErrors(page);
  });

  afterAll(async () => {
    await context?.close();
    await server?.stop();
    if (dataDir) await rm(dataDir, { recursive: true, force: true });
    if (profileDir) await rm(profileDir, { recursive: true, force: true });
  });

  function watchForErrors(target: Page) {
    target.on("pageerror", (error) => pageErrors.push(`pageerror: ${error.message}`));
    target.on("console", (message) => {
      // Chromium logs every 4xx; the pool's refusals (wrong password, unconfirmed user) are part of the flows tested.
      const refusedByPool = message.location().url.startsWith(server.cognitoEndpoint);
      // The live connection retries while the server restarts; Chromium logs each refused attempt.
      const liveRetry = /^WebSocket connection to 'ws:\/\/[^']+\/graphql' failed: .*ERR_CONNECTION_REFUSED$/.test(message.text());
      if (message.type() === "error" && !refusedByPool && !liveRetry) pageErrors.push(`console: ${message.text()}`);
    });
  }

  const shot = (target: Page, name: string, fullPage = true) =>
    target.screenshot({ path: join(ARTIFACTS, `${name}.png`), fullPage });
  const noteItems = (target: Page) => target.getByRole("list", { name: "Your notes" }).getByRole("listitem");
  const noteItem = (target: Page, text: string): Locator => noteItems(target).filter({ hasText: text });
  const status = (target: Page) => target.getByRole("status").filter({ hasText: /\S/ });

  /** The code the local pool "emailed": the line npm start prints for it. */
  async function confirmationCode(email: string): Promise<string> {
    const line = `Confirmation code for ${email.replace(/[.+]/g, "\\$&")}: (\\d+)`;
    await expect.poll(() => new RegExp(line).test(output())).toBe(true);
    return [...output().matchAll(new RegExp(line, "g"))].at(-1)![1]!;
  }

  async function signUp(target: Page, email: string, options: { confirm?: boolean } = {}) {
    await target.getByRole("button", { name: "Create an account" }).click();
    await target.getByLabel("Email").fill(email);
    await target.getByLabel("Password", { exact: true }).fill(PASSWORD);
    await target.getByRole("button", { name: "Create account" }).click();
    await target.getByRole("heading", { name: "Confirm your email address" }).waitFor();
    if (options.confirm === false) return;
    await target.getByLabel("Code from the email").fill(await confirmationCode(email));
    await target.getByRole("button", { name: "Confirm" }).click();
    await expect.poll(() => target.getByText(`Signed in as ${email}`).isVisible()).toBe(true);
  }

  async function signIn(target: Page, email: string, password = PASSWORD) {
    await target.getByLabel("Email").fill(email);
    await target.getByLabel("Password", { exact: true }).fill(password);
    await target.getByRole("button", { name: "Sign in" }).click();
  }

  /** The access token Amplify keeps for the signed-in user. */
  function storedAccessToken(target: Page): Promise<string | null> {
    return target.evaluate(() => {
      const key = Object.keys(localStorage).find((name) => name.startsWith("CognitoIdentityServiceProvider.") && name.endsWith(".accessToken"));
      return key ? localStorage.getItem(key) : null;
    });
  }

  const expiryOf = (token: string) => JSON.parse(Buffer.from(token.split(".")[1]!, "base64url").toString()).exp as number;

  async function addNote(target: Page, content: string) {
    const form = target.getByRole("form", { name: "New note" });
    await form.getByLabel("Note").fill(content);
    await form.getByRole("button", { name: "Add note" }).click();
    await noteItem(target, content).waitFor();
    await expect.poll(() => form.getByLabel("Note").inputValue()).toBe("");
  }

  async function contents(target: Page): Promise<string[]> {
    return noteItems(target).locator(".note-content").allInnerTexts();
  }

  const newNoteForm = (target: Page) => target.getByRole("form", { name: "New note" });

  /** Picks a file in a form's file input and waits until the form says it is uploaded. */
  async function chooseFile(form: Locator, label: RegExp, file: { name: string; mimeType: string; buffer: Buffer }) {
    await form.getByLabel(label).setInputFiles(file);
    await expect.poll(() => form.locator(".upload-ready").innerText()).toContain(`${file.name} (`);
  }

  /** Clicks a note's file link and reads what the browser saved. */
  async function downloadFrom(item: Locator, fileName: string): Promise<{ name: string; bytes: Buffer }> {
    const [download] = await Promise.all([page.waitForEvent("download"), item.getByRole("link", { name: fileName }).click()]);
    const path = await download.path();
    return { name: download.suggestedFilename(), bytes: await readFile(path) };
  }

  const linkUrl = (item: Locator, fileName: string) =>
    item.getByRole("link", { name: fileName }).evaluate((a: HTMLAnchorElement) => a.href);

  /** What the storage answers for a download URL now (from Node: the browser may hold a cached copy). */
  async function statusOf(url: string): Promise<number> {
    const response = await fetch(url);
    await response.arrayBuffer();
    return response.status;
  }

  it("signs up, confirms with the code from the npm start output, and starts empty", async () => {
    await page.goto(`${origin}/`);
    await expect.poll(() => page.getByRole("heading", { name: "Sign in" }).isVisible()).toBe(true);
    await page.getByRole("button", { name: "Sign in" }).click();
    await expect.poll(() => page.getByRole("alert").innerText()).toBe("Enter your email address.");
    await shot(page, "01-sign-in");

    // The pool's password policy is checked before anything is sent.
    await page.getByRole("button", { name: "Create an account" }).click();
    await page.getByLabel("Email").fill("alice@example.com");
    await page.getByLabel("Password", { exact: true }).fill("short");
    await page.getByRole("button", { name: "Create account" }).click();
    await expect.poll(() => page.getByRole("alert").innerText()).toMatch(/too weak/);
    await page.getByRole("button", { name: "I have an account: sign in" }).click();

    await signUp(page, "alice@example.com");
    await page.getByText("No notes yet. Write your first one above.").waitFor();
    await shot(page, "02-empty");
  });

  it("creates notes, newest first, and refuses an empty one in the form", async () => {
    const form = page.getByRole("form", { name: "New note" });
    await form.getByLabel("Note").fill("   ");
    await form.getByRole("button", { name: "Add note" }).click();
    await expect.poll(() => form.getByRole("alert").innerText()).toContain("cannot be empty");
    expect(await form.getByLabel("Note").getAttribute("aria-invalid")).toBe("true");

    await addNote(page, "Buy milk");
    await expect.poll(() => status(page).innerText()).toBe("Note created.");
    await addNote(page, "Call Bob about the trip");

    expect(await contents(page)).toEqual(["Call Bob about the trip", "Buy milk"]);
    expect(await noteItem(page, "Call Bob").innerText()).toContain("version 1");
  });

  it("edits a note and shows its new version", async () => {
    const item = noteItem(page, "Buy milk");
    await item.getByRole("button", { name: "Edit" }).click();
    const form = item.getByRole("form", { name: "Edit note" });
    await form.getByLabel("Note").fill("Buy oat milk");
    await form.getByRole("button", { name: "Save" }).click();
    await expect.poll(() => status(page).innerText()).toBe("Note saved.");
    expect(await noteItem(page, "Buy oat milk").innerText()).toContain("version 2");
    await shot(page, "03-two-notes");
  });

  it("answers a stale save from a second tab with the conflict message, then lets it overwrite on purpose", async () => {
    const second = await context.newPage();
    await second.goto(`${origin}/`);
    await noteItem(second, "Call Bob").waitFor();

    for (const tab of [page, second]) {
      await tab.bringToFront();
      await noteItem(tab, "Call Bob").getByRole("button", { name: "Edit" }).click();
    }

    await page.bringToFront();
    const firstForm = noteItem(page, "Call Bob").getByRole("form", { name: "Edit note" });
    await firstForm.getByLabel("Note").fill("Call Bob about the trip: Friday works");
    await firstForm.getByRole("button", { name: "Save" }).click();
    await expect.poll(() => status(page).innerText()).toBe("Note saved.");

    await second.bringToFront();
    const secondItem = noteItems(second).first();
    const secondForm = secondItem.getByRole("form", { name: "Edit note" });
    await secondForm.getByLabel("Note").fill("Call Bob about the trip: Saturday instead");
    await secondForm.getByRole("button", { name: "Save" }).click();
    const conflict = secondForm.getByRole("alert");
    await expect.poll(() => conflict.innerText()).toContain("changed in another tab or device");
    expect(await conflict.innerText()).toContain("your changes were not saved");
    await shot(second, "04-conflict");

    // Nothing was overwritten: the first tab's text is what the API holds.
    await second.reload();
    await noteItem(second, "Call Bob about the trip: Friday works").waitFor();

    // The first tab starts an edit now, on version 2; the second tab's save below makes it stale.
    await page.bringToFront();
    await noteItem(page, "Friday works").getByRole("button", { name: "Edit" }).click();
    await second.bringToFront();
    await noteItems(second).first().getByRole("button", { name: "Edit" }).click();
    const retryForm = noteItems(second).first().getByRole("form", { name: "Edit note" });
    await retryForm.getByLabel("Note").fill("Call Bob about the trip: Saturday instead");
    await retryForm.getByRole("button", { name: "Save" }).click();
    await expect.poll(() => status(second).innerText()).toBe("Note saved.");
    expect(await noteItem(second, "Saturday instead").innerText()).toContain("version 3");

    // A stale edit in the first tab now conflicts too; "Load latest version" shows the other tab's text.
    await page.bringToFront();
    const staleForm = noteItems(page).first().getByRole("form", { name: "Edit note" });
    await staleForm.getByLabel("Note").fill("Call Bob: Sunday?");
    await staleForm.getByRole("button", { name: "Save" }).click();
    await staleForm.getByRole("button", { name: "Load latest version" }).click();
    await expect.poll(() => noteItems(page).first().locator("figure").innerText()).toContain("Saturday instead");
    expect(await staleForm.getByLabel("Note").inputValue()).toBe("Call Bob: Sunday?");
    await staleForm.getByRole("button", { name: "Cancel" }).click();
    await second.close();
  });

  it("pages through more notes than fit on one page with Load more", async () => {
    const token = (await storedAccessToken(page))!;
    const gql = graphqlClient(server.url);
    const bulk = Array.from({ length: PAGE_SIZE + 2 }, (_, i) => `Bulk note ${String(i + 1).padStart(2, "0")}`);
    for (const content of bulk) {
      const result = await gql(CreateNoteDocument, { input: { content } }, { token, byHash: true });
      expect(result.body.errors).toBeUndefined();
    }

    await page.reload();
    await noteItem(page, `Bulk note ${PAGE_SIZE + 2}`).waitFor();
    expect(await noteItems(page).count()).toBe(PAGE_SIZE);
    await page.getByRole("button", { name: "Load more" }).click();
    await expect.poll(() => noteItems(page).count()).toBe(bulk.length + 2);
    await expect.poll(() => status(page).innerText()).toBe(`Loaded ${bulk.length + 2 - PAGE_SIZE} more notes.`);
    expect(await page.getByRole("button", { name: "Load more" }).count()).toBe(0);

    // Every note exactly once, newest first, across the page boundary.
    expect(await contents(page)).toEqual([...[...bulk].reverse(), "Call Bob about the trip: Saturday instead", "Buy oat milk"]);
    await shot(page, "05-load-more");
  });

  it("deletes only after confirmation", async () => {
    const item = noteItem(page, "Buy oat milk");
    await item.getByRole("button", { name: "Delete" }).click();
    const dialog = page.getByRole("alertdialog", { name: "Delete this note?" });
    await dialog.waitFor();
    expect(await dialog.innerText()).toContain("“Buy oat milk” will be deleted");
    await shot(page, "06-delete-confirm", false);
    await dialog.getByRole("button", { name: "Cancel" }).click();
    await expect.poll(() => dialog.isVisible()).toBe(false);
    expect(await noteItem(page, "Buy oat milk").count()).toBe(1);

    await item.getByRole("button", { name: "Delete" }).click();
    await dialog.getByRole("button", { name: "Delete note" }).click();
    await expect.poll(() => status(page).innerText()).toBe("Note deleted.");
    expect(await noteItem(page, "Buy oat milk").count()).toBe(0);
  });

  it("shows another tab's create, edit and delete live, without a reload, and none of it to another user", async () => {
    const live = (target: Page) => expect.poll(() => target.locator("[data-live]").getAttribute("data-live")).toBe("live");
    const second = await context.newPage();
    await second.goto(`${origin}/`);
    // Another user, in a browser profile of their own (tabs of one profile share the session).
    const otherProfile = await mkdtemp(join(tmpdir(), "notes-e2e-other-"));
    const otherContext = await launchChromium(otherProfile);
    try {
      const other = otherContext.pages()[0] ?? (await otherContext.newPage());
      other.on("pageerror", (error) => pageErrors.push(`pageerror (dave): ${error.message}`));
      await other.goto(`${origin}/`);
      await signUp(other, "dave@example.com");
      await Promise.all([live(page), live(second), live(other)]);

      await page.bringToFront();
      await addNote(page, "Written in the first tab");
      await noteItem(second, "Written in the first tab").waitFor();

      await second.bringToFront();
      await noteItem(second, "Written in the first tab").getByRole("button", { name: "Edit" }).click();
      const form = noteItem(second, "Written in the first tab").getByRole("form", { name: "Edit note" });
      await form.getByLabel("Note").fill("Edited in the second tab");
      await form.getByRole("button", { name: "Save" }).click();
      await noteItem(page, "Edited in the second tab").waitFor();
      expect(await noteItem(page, "Edited in the second tab").innerText()).toContain("version 2");

      await page.bringToFront();
      await noteItem(page, "Edited in the second tab").getByRole("button", { name: "Delete" }).click();
      await page.getByRole("alertdialog", { name: "Delete this note?" }).getByRole("button", { name: "Delete note" }).click();
      await expect.poll(() => noteItem(second, "Edited in the second tab").count()).toBe(0);
      await shot(second, "06b-live");

      // Each event reached the second tab before the mutation answered; dave's page got none of them.
      expect(await contents(other)).toEqual([]);
      expect(await other.content()).not.toMatch(/first tab|second tab/);
    } finally {
      await otherContext.close();
      await rm(otherProfile, { recursive: true, force: true });
      await second.close();
    }
  });

  const photo = { name: "trip.png", mimeType: "image/png", buffer: solidPng(64, 48) };
  const itinerary = { name: "itinerary – Zürich.txt", mimeType: "text/plain", buffer: Buffer.from("Fri: train 08:12\nSat: museum\n") };

  it("refuses a file over 10 MB in the form, before anything is uploaded", async () => {
    const form = newNoteForm(page);
    const huge = { name: "huge.bin", mimeType: "application/octet-stream", buffer: Buffer.alloc(MAX_ATTACHMENT_BYTES + 1) };
    await form.getByLabel(/^Attachment/).setInputFiles(huge);
    await expect.poll(() => form.getByRole("alert").innerText()).toBe(
      "“huge.bin” is too large (10 MB): attachments can be at most 10 MB. Choose a smaller file.",
    );
    expect(await form.getByLabel(/^Attachment/).getAttribute("aria-invalid")).toBe("true");
    expect(await form.getByLabel(/^Attachment/).inputValue()).toBe("");
    expect(storagePosts).toEqual([]);
    expect(graphqlBodies.some((body) => body.includes(UPLOAD_HASH))).toBe(false);
  });

  it("saves without a chosen file after Don’t attach", async () => {
    const form = newNoteForm(page);
    await form.getByLabel("Note").fill("No file after all");
    await chooseFile(form, /^Attachment/, itinerary);
    await form.getByRole("button", { name: "Don’t attach" }).click();
    expect(await form.locator(".upload-ready").count()).toBe(0);
    expect(await form.getByLabel(/^Attachment/).inputValue()).toBe("");
    await form.getByRole("button", { name: "Add note" }).click();
    await noteItem(page, "No file after all").waitFor();
    expect(await noteItem(page, "No file after all").locator(".attachment").count()).toBe(0);
  });

  it("says so when the upload fails, and uploads with progress when it works", async () => {
    const form = newNoteForm(page);
    await form.getByLabel("Note").fill("Trip photo");

    const errorsBefore = pageErrors.length;
    await page.route("**/s3/**", (route) =>
      route.request().method() === "POST" ? route.abort("connectionrefused") : route.fallback(),
    );
    await form.getByLabel(/^Attachment/).setInputFiles(photo);
    await expect.poll(() => form.getByRole("alert").innerText()).toContain("The upload failed: the file storage could not be reached");
    await page.unroute("**/s3/**");
    // The refused POST is the one console error this step expects.
    expect(pageErrors.splice(errorsBefore)).toEqual(["console: Failed to load resource: net::ERR_CONNECTION_REFUSED"]);

    // The storage's answer is held until the form has shown its progress bar and locked Save.
    let release!: () => void;
    const held = new Promise<void>((resolve) => (release = resolve));
    await page.route("**/s3/**", async (route) => {
      if (route.request().method() !== "POST") return route.fallback();
      await held;
      await route.continue();
    });
    await form.getByLabel(/^Attachment/).setInputFiles(photo);
    const progress = form.getByRole("progressbar");
    await progress.waitFor();
    expect(await form.getByText("Uploading trip.png…").isVisible()).toBe(true);
    expect(await form.getByRole("button", { name: "Uploading…" }).isDisabled()).toBe(true);
    await shot(page, "09-uploading", false);
    release();
    await expect.poll(() => form.locator(".upload-ready").innerText()).toContain("trip.png (image/png, ");
    await page.unroute("**/s3/**");
    expect(await progress.count()).toBe(0);
    expect(storagePosts.length).toBeGreaterThanOrEqual(2);
  });

  it("attaches the file on save, shows its name, type, size and a preview, and downloads the same bytes", async () => {
    await newNoteForm(page).getByRole("button", { name: "Add note" }).click();
    const item = noteItem(page, "Trip photo");
    await item.waitFor();
    await expect.poll(() => status(page).innerText()).toBe("Note created.");
    expect(await item.locator("figcaption").innerText()).toBe(`Attachment: trip.png (image/png, ${formatSize(photo.buffer.length)})`);
    const preview = item.getByRole("img", { name: "Preview of trip.png" });
    await expect.poll(() => preview.evaluate((img: HTMLImageElement) => img.complete && img.naturalWidth)).toBe(64);
    expect(await newNoteForm(page).locator(".upload-ready").count()).toBe(0);

    const downloaded = await downloadFrom(item, "trip.png");
    expect(downloaded.name).toBe("trip.png");
    expect(downloaded.bytes.equals(photo.buffer)).toBe(true);
    await shot(page, "10-attachment", false);
  });

  it("replaces the file, and the replaced file's link no longer serves it", async () => {
    const item = noteItem(page, "Trip photo");
    const oldUrl = await linkUrl(item, "trip.png");
    await item.getByRole("button", { name: "Edit" }).click();
    const form = item.getByRole("form", { name: "Edit note" });
    expect(await form.innerText()).toContain("trip.png (image/png");
    await chooseFile(form, /^Replace the file/, itinerary);
    expect(await form.locator(".upload-ready").innerText()).toContain("attached instead of trip.png when you save");
    await form.getByRole("button", { name: "Save" }).click();
    await expect.poll(() => status(page).innerText()).toBe("Note saved.");

    await item.getByRole("link", { name: itinerary.name }).waitFor();
    expect(await item.locator("figcaption").innerText()).toBe(
      `Attachment: ${itinerary.name} (text/plain, ${formatSize(itinerary.buffer.length)})`,
    );
    expect(await item.getByRole("img").count()).toBe(0);
    const downloaded = await downloadFrom(item, itinerary.name);
    expect(downloaded.name).toBe(itinerary.name);
    expect(downloaded.bytes.equals(itinerary.buffer)).toBe(true);
    expect(await statusOf(oldUrl)).toBe(404);
  });

  it("removes the file", async () => {
    const item = noteItem(page, "Trip photo");
    const oldUrl = await linkUrl(item, itinerary.name);
    await item.getByRole("button", { name: "Edit" }).click();
    const form = item.getByRole("form", { name: "Edit note" });
    await form.getByRole("button", { name: "Remove the file" }).click();
    expect(await form.innerText()).toContain(`${itinerary.name} will be removed when you save.`);
    await form.getByRole("button", { name: "Save" }).click();
    await expect.poll(() => item.innerText()).toContain("version 3");
    expect(await item.locator(".attachment").count()).toBe(0);
    expect(await statusOf(oldUrl)).toBe(404);
  });

  it("says an upload can no longer be attached when the API refuses it, then attaches the file chosen again", async () => {
    const form = newNoteForm(page);
    await form.getByLabel("Note").fill("Boarding pass");
    const uploadAnswer = page.waitForResponse((response) => (response.request().postData() ?? "").includes(UPLOAD_HASH));
    await chooseFile(form, /^Attachment/, photo);
    const upload = ((await (await uploadAnswer).json()) as { data: { createAttachmentUpload: { url: string; fields: { name: string; value: string }[] } } })
      .data.createAttachmentUpload;
    // The uploaded object vanishes before the save (s3rver takes an unsigned DELETE), so the API refuses the upload id.
    const key = upload.fields.find((field) => field.name === "key")!.value;
    expect((await fetch(`${upload.url}/${key.split("/").map(encodeURIComponent).join("/")}`, { method: "DELETE" })).status).toBe(204);
    await form.getByRole("button", { name: "Add note" }).click();
    await expect.poll(() => form.getByRole("alert").innerText()).toBe(
      "The uploaded file could not be attached, so nothing was saved. Choose the file again, then save.",
    );
    expect(await form.locator(".upload-ready").count()).toBe(0);
    expect(await form.getByLabel(/^Attachment/).inputValue()).toBe("");
    expect(await form.getByLabel("Note").inputValue()).toBe("Boarding pass");
    expect(await noteItem(page, "Boarding pass").count()).toBe(0);

    await chooseFile(form, /^Attachment/, photo);
    await form.getByRole("button", { name: "Add note" }).click();
    await noteItem(page, "Boarding pass").getByRole("link", { name: "trip.png" }).waitFor();
  });

  it("deletes a note with its file", async () => {
    const item = noteItem(page, "Boarding pass");
    const url = await linkUrl(item, "trip.png");
    expect(await statusOf(url)).toBe(200);
    await item.getByRole("button", { name: "Delete" }).click();
    const dialog = page.getByRole("alertdialog", { name: "Delete this note?" });
    expect(await dialog.innerText()).toContain("“Boarding pass” and its file trip.png will be deleted");
    await dialog.getByRole("button", { name: "Delete note" }).click();
    await expect.poll(() => status(page).innerText()).toBe("Note deleted.");
    expect(await statusOf(url)).toBe(404);

    // Alice keeps one file for the restart and for bob to never see.
    await newNoteForm(page).getByLabel("Note").fill("Alice's private scan");
    await chooseFile(newNoteForm(page), /^Attachment/, itinerary);
    await newNoteForm(page).getByRole("button", { name: "Add note" }).click();
    await noteItem(page, "Alice's private scan").getByRole("link", { name: itinerary.name }).waitFor();
  });

  it("keeps everything across a reload and a server restart on the same data directory", async () => {
    const before = await contents(page);
    await server.stop();
    // The same PORT, but cognito-local gets another free port: the stored tokens still verify (stable issuer).
    const previousPool = server.cognitoEndpoint;
    await startServer(port);
    expect(server.cognitoEndpoint).not.toBe(previousPool);

    await page.reload();
    await noteItems(page).first().waitFor();
    await page.getByRole("button", { name: "Load more" }).click();
    await expect.poll(() => noteItems(page).count()).toBe(before.length);
    expect(await contents(page)).toEqual(before);
    expect(await page.getByText("Signed in as alice@example.com").isVisible()).toBe(true);

    const scan = await downloadFrom(noteItem(page, "Alice's private scan"), itinerary.name);
    expect(scan.bytes.equals(itinerary.buffer)).toBe(true);
    aliceFileUrl = await linkUrl(noteItem(page, "Alice's private scan"), itinerary.name);
  });

  it("signs out, and then refuses a wrong password and an unconfirmed account with clear messages", async () => {
    await page.getByRole("button", { name: "Sign out" }).click();
    await page.getByRole("heading", { name: "Sign in" }).waitFor();
    await page.reload();
    await page.getByRole("heading", { name: "Sign in" }).waitFor();

    await signIn(page, "alice@example.com", "Wrong-Password-1");
    await expect.poll(() => page.getByRole("alert").innerText()).toBe("Incorrect email or password.");
    await shot(page, "07-wrong-password");

    await signUp(page, "carol@example.com", { confirm: false });
    await page.getByRole("button", { name: "Back to sign in" }).click();
    await signIn(page, "carol@example.com");
    await page.getByRole("heading", { name: "Confirm your email address" }).waitFor();
    expect(await page.getByRole("status").innerText()).toBe("Confirm your email address first with the code we sent you.");
    await page.getByLabel("Code from the email").fill("000000");
    await page.getByRole("button", { name: "Confirm" }).click();
    await expect.poll(() => page.getByRole("alert").innerText()).toBe("That code is not right. Check it and try again.");
    await page.getByRole("button", { name: "Back to sign in" }).click();
  });

  it("resets a forgotten password with the code from the npm start output", async () => {
    await page.getByRole("button", { name: "Forgot your password?" }).click();
    await page.getByLabel("Email").fill("alice@example.com");
    const codesBefore = (output().match(/Confirmation code for alice@example\.com/g) ?? []).length;
    await page.getByRole("button", { name: "Send code" }).click();
    await page.getByRole("heading", { name: "Choose a new password" }).waitFor();
    await expect.poll(() => (output().match(/Confirmation code for alice@example\.com/g) ?? []).length).toBe(codesBefore + 1);
    await page.getByLabel("Code from the email").fill(await confirmationCode("alice@example.com"));
    await page.getByLabel("New password", { exact: true }).fill("Another-Horse-8");
    await page.getByRole("button", { name: "Set new password" }).click();
    await expect.poll(() => page.getByText("Signed in as alice@example.com").isVisible()).toBe(true);
    await page.getByRole("button", { name: "Sign out" }).click();
    await page.getByRole("heading", { name: "Sign in" }).waitFor();
  });

  it("shows bob none of alice's notes", async () => {
    await signUp(page, "bob@example.com");
    await page.getByText("No notes yet. Write your first one above.").waitFor();
    expect(await noteItems(page).count()).toBe(0);
    await addNote(page, "Bob's own note");
    expect(await contents(page)).toEqual(["Bob's own note"]);
    // Nothing of alice's file reaches bob's page: not its name, not its link, not its storage key.
    const html = await page.content();
    // /s3/<bucket>/attachments/<alice's sub>/<note>/<upload>
    const [, , , folder, aliceSub] = new URL(aliceFileUrl).pathname.split("/");
    expect(folder).toBe("attachments");
    expect(aliceSub).toMatch(/\S{8,}/);
    expect(html).not.toContain(new URL(aliceFileUrl).pathname);
    expect(html).not.toContain(`attachments/${aliceSub}`);
    expect(html).not.toContain("Zürich");
    expect(await page.locator("a[href*='/s3/']").count()).toBe(0);
    await shot(page, "07-bob");
  });

  it("searches as you type: folded word prefixes, marked matches, paged results, kept in the URL, Escape clears", async () => {
    const gql = graphqlClient(server.url);
    const token = (await storedAccessToken(page))!;
    const created: string[] = [];
    for (const content of ["Trip to Zürich in 2027", "zurich budget", "Basel weekend", ...Array.from({ length: 12 }, (_, i) => `alpha ${i}`)]) {
      created.push((await gql(CreateNoteDocument, { input: { content } }, { token, byHash: true })).body.data!.createNote.id);
    }
    await page.reload();
    await noteItem(page, "alpha 11").waitFor();
    const box = page.getByRole("searchbox", { name: "Search notes" });
    const matching = () => page.getByRole("list", { name: "Matching notes" }).getByRole("listitem");
    const matchingContents = () => matching().locator(".note-content").allInnerTexts();

    await box.pressSequentially("ZUR 2027");
    await expect.poll(matchingContents).toEqual(["Trip to Zürich in 2027"]);
    expect(await matching().locator("mark").allInnerTexts()).toEqual(["Zür", "2027"]);
    await box.fill("zur");
    await expect.poll(matchingContents).toEqual(["zurich budget", "Trip to Zürich in 2027"]);
    expect(new URL(page.url()).searchParams.get("q")).toBe("zur");
    await shot(page, "07b-search");

    await page.reload();
    await expect.poll(matchingContents).toEqual(["zurich budget", "Trip to Zürich in 2027"]);
    expect(await box.inputValue()).toBe("zur");

    await box.fill("alpha");
    await expect.poll(async () => (await matchingContents()).length).toBe(PAGE_SIZE);
    await page.getByRole("button", { name: "Load more" }).click();
    await expect.poll(matchingContents).toEqual(Array.from({ length: 12 }, (_, i) => `alpha ${11 - i}`));
    expect(await page.getByRole("button", { name: "Load more" }).count()).toBe(0);

    await box.fill("nothing matches");
    await page.getByText("No notes match “nothing matches”.").waitFor();

    await box.press("Escape");
    await expect.poll(() => box.inputValue()).toBe("");
    await noteItem(page, "alpha 11").waitFor();
    expect(await noteItems(page).count()).toBe(PAGE_SIZE);
    expect(new URL(page.url()).search).toBe("");

    // The tests after this one expect bob's single note.
    for (const id of created) expect((await gql(DeleteNoteDocument, { id }, { token, byHash: true })).body.data?.deleteNote.id).toBe(id);
  });

  it("raised no page errors along the way", () => {
    expect(pageErrors).toEqual([]);
  });

  it("sent only trusted-document hashes, while the API refuses an ad-hoc query from the same page", async () => {
    expect(graphqlBodies.length).toBeGreaterThan(10);
    for (const body of graphqlBodies) {
      const parsed = JSON.parse(body) as { query?: string; extensions?: { persistedQuery?: { sha256Hash?: string } } };
      expect(parsed.query).toBeUndefined();
      expect(parsed.extensions?.persistedQuery?.sha256Hash).toMatch(/^[0-9a-f]{64}$/);
    }
    const adHoc = await page.evaluate(async () => {
      const key = Object.keys(localStorage).find((name) => name.endsWith(".accessToken"))!;
      const response = await fetch("/graphql", {
        method: "POST",
        headers: { "content-type": "application/json", authorization: `Bearer ${localStorage.getItem(key)}` },
        body: JSON.stringify({ query: "{ notes(first: 100) { edges { node { content } } } }" }),
      });
      return { status: response.status, body: await response.json() };
    });
    expect(adHoc.status).toBe(403);
    expect(adHoc.body.errors[0].extensions.code).toBe("PERSISTED_QUERY_ONLY");
    expect(adHoc.body.data).toBeUndefined();
  });

  it("shows an error with a retry when the API is unreachable, and signs out a token the API rejects", async () => {
    await page.route("**/graphql", (route) => route.abort("connectionrefused"));
    await page.reload();
    const alert = page.getByRole("alert");
    await expect.poll(() => alert.innerText()).toContain("Could not reach the notes API");
    await shot(page, "08-unreachable", false);
    await page.unroute("**/graphql");
    await alert.getByRole("button", { name: "Try again" }).click();
    await noteItem(page, "Bob's own note").waitFor();

    // A token whose signature does not verify (e.g. the local data directory was reset): back to sign-in, with the reason.
    await page.evaluate(() => {
      const key = Object.keys(localStorage).find((name) => name.endsWith(".accessToken"))!;
      const [header, payload] = localStorage.getItem(key)!.split(".");
      localStorage.setItem(key, `${header}.${payload}.${"A".repeat(342)}`);
    });
    await page.reload();
    await expect.poll(() => page.getByRole("status").innerText()).toBe("Your session has ended. Please sign in again.");
    expect(await page.getByLabel("Email").isVisible()).toBe(true);
  });

  it("refreshes a session whose tokens expired while the app was closed, and ahead of expiry while open, without the user noticing", async () => {
    // Short-lived tokens for this test only (Cognito's minimum is 5 minutes; the emulator takes seconds).
    const ids = (await readPoolIds(join(dataDir, "cognito")))!;
    const cognito = localCognitoClient(server.cognitoEndpoint);
    const validity = (seconds: number | undefined) =>
      cognito.send(
        new UpdateUserPoolClientCommand({
          ...APP_CLIENT_SETTINGS,
          UserPoolId: ids.userPoolId,
          ClientId: ids.clientId,
          ...(seconds && { AccessTokenValidity: seconds, IdTokenValidity: seconds, TokenValidityUnits: { AccessToken: "seconds", IdToken: "seconds", RefreshToken: "days" } }),
        }),
      );
    try {
      await validity(15);
      await signIn(page, "bob@example.com");
      await noteItem(page, "Bob's own note").waitFor();
      const first = (await storedAccessToken(page))!;
      expect(expiryOf(first) - Math.floor(Date.now() / 1000)).toBeLessThanOrEqual(15);

      await page.goto("about:blank");
      // Wait until the API refuses the stored token: it has expired.
      const gql = graphqlClient(server.url);
      await expect
        .poll(async () => (await gql(MeDocument, {}, { token: first, byHash: true })).body.data?.me, { timeout: 30_000, interval: 1_000 })
        .toBeNull();

      await page.goto(`${origin}/`);
      await noteItem(page, "Bob's own note").waitFor();
      expect(await page.getByText("Signed in as bob@example.com").isVisible()).toBe(true);
      const refreshed = (await storedAccessToken(page))!;
      expect(refreshed).not.toBe(first);

      // Left open, the app refreshes ahead of expiry by itself, and the page goes on working.
      await expect.poll(() => storedAccessToken(page), { timeout: 30_000, interval: 500 }).not.toBe(refreshed);
      await addNote(page, "Written after a silent refresh");
      expect(await page.getByText("Signed in as bob@example.com").isVisible()).toBe(true);
      await shot(page, "09-refreshed");
    } finally {
      await validity(undefined);
      cognito.destroy();
    }
  });
});

/** The size as the app prints it (1 KB = 1,024 bytes). */
function formatSize(bytes: number): string {
  if (bytes < 1024) return `${bytes} bytes`;
  return `${new Intl.NumberFormat("en", { maximumFractionDigits: 1 }).format(bytes / 1024)} KB`;
}

/** A real PNG (one colour, RGB), so the browser decodes the preview. */
function solidPng(width: number, height: number): Buffer {
  const chunk = (type: string, data: Buffer) => {
    const body = Buffer.concat([Buffer.from(type, "ascii"), data]);
    const length = Buffer.alloc(4);
    length.writeUInt32BE(data.length);
    const crc = Buffer.alloc(4);
    crc.writeUInt32BE(crc32(body));
    return Buffer.concat([length, body, crc]);
  };
  const header = Buffer.alloc(13);
  header.writeUInt32BE(width, 0);
  header.writeUInt32BE(height, 4);
  header.set([8, 2, 0, 0, 0], 8);
  const row = Buffer.concat([Buffer.from([0]), Buffer.alloc(width * 3, Buffer.from([0x24, 0x58, 0xd6]))]);
  const pixels = deflateSync(Buffer.concat(Array.from({ length: height }, () => row)));
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk("IHDR", header),
    chunk("IDAT", pixels),
    chunk("IEND", Buffer.alloc(0)),
  ]);
}
