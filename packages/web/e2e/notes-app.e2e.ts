import { existsSync } from "node:fs";
import { mkdir, mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { chromium, type BrowserContext, type Locator, type Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startLocalServer, type LocalServer } from "@notes/functions/local/server";
import { captureLogs } from "@notes/functions/log";
import { PAGE_SIZE } from "../src/config.ts";
import { CreateNoteDocument } from "../src/gql/graphql.ts";
import { buildWebApp } from "../scripts/build.ts";
import { typedClient } from "../test/typed-client.ts";

const CHROMIUM = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";
const CHROMIUM_ARGS = [
  "--headless",
  "--no-sandbox",
  "--disable-gpu",
  "--disable-quic",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
];
const ARTIFACTS = fileURLToPath(new URL("../../../test-artifacts/web-app/", import.meta.url));
const inCi = ["true", "1"].includes((process.env.CI ?? "").toLowerCase());
const hasChromium = existsSync(CHROMIUM);

if (!hasChromium) {
  // In CI a missing browser is a broken pipeline, not a reason to pass.
  if (inCi) throw new Error(`CI is set but Chromium is missing at ${CHROMIUM}: apt-get install -y chromium`);
  console.warn(`[e2e] SKIPPED: no Chromium at ${CHROMIUM} (apt-get install -y chromium, or set CHROMIUM_PATH).`);
}

describe.skipIf(!hasChromium)("the notes web app in headless Chromium", () => {
  let dataDir: string;
  let profileDir: string;
  let server: LocalServer;
  let origin: string;
  let port: number;
  let context: BrowserContext;
  let page: Page;
  const pageErrors: string[] = [];
  const graphqlBodies: string[] = [];
  let restoreLogs: (() => void) | undefined;

  async function startServer(onPort: number) {
    // As a stage deployed with TRUSTED_DOCUMENTS_ONLY=true: the app must work on its hashes alone.
    server = await startLocalServer({ dataDir, port: onPort, host: "127.0.0.1", tableName: "notes", trustedDocumentsOnly: true });
    origin = new URL(server.url).origin;
    port = Number(new URL(server.url).port);
  }

  beforeAll(async () => {
    restoreLogs = captureLogs(() => {}, "SILENT");
    await buildWebApp();
    dataDir = await mkdtemp(join(tmpdir(), "notes-e2e-data-"));
    profileDir = await mkdtemp(join(tmpdir(), "notes-e2e-chromium-"));
    await mkdir(ARTIFACTS, { recursive: true });
    await startServer(0);
    context = await chromium.launchPersistentContext(profileDir, {
      executablePath: CHROMIUM,
      headless: true,
      args: CHROMIUM_ARGS,
      viewport: { width: 1000, height: 860 },
      locale: "en-US",
      timezoneId: "UTC",
    });
    context.setDefaultTimeout(15_000);
    context.on("page", watchForErrors);
    context.on("request", (request) => {
      if (request.method() === "POST" && new URL(request.url()).pathname === "/graphql") graphqlBodies.push(request.postData() ?? "");
    });
    page = context.pages()[0] ?? (await context.newPage());
    watchForErrors(page);
  });

  afterAll(async () => {
    await context?.close();
    await server?.close();
    if (dataDir) await rm(dataDir, { recursive: true, force: true });
    if (profileDir) await rm(profileDir, { recursive: true, force: true });
    restoreLogs?.();
  });

  function watchForErrors(target: Page) {
    target.on("pageerror", (error) => pageErrors.push(`pageerror: ${error.message}`));
    target.on("console", (message) => {
      if (message.type() === "error") pageErrors.push(`console: ${message.text()}`);
    });
  }

  const shot = (target: Page, name: string, fullPage = true) =>
    target.screenshot({ path: join(ARTIFACTS, `${name}.png`), fullPage });
  const noteItems = (target: Page) => target.getByRole("list", { name: "Your notes" }).getByRole("listitem");
  const noteItem = (target: Page, text: string): Locator => noteItems(target).filter({ hasText: text });
  const status = (target: Page) => target.getByRole("status").filter({ hasText: /\S/ });

  async function signIn(target: Page, userName: string) {
    await target.getByLabel("User name").fill(userName);
    await target.getByRole("button", { name: "Sign in" }).click();
    await expect.poll(() => target.getByText(`Signed in as ${userName}`).isVisible()).toBe(true);
  }

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

  it("signs in as a typed user name and starts empty", async () => {
    await page.goto(`${origin}/`);
    await expect.poll(() => page.getByRole("heading", { name: "Sign in" }).isVisible()).toBe(true);
    await page.getByRole("button", { name: "Sign in" }).click();
    await expect.poll(() => page.getByRole("alert").innerText()).toBe("Enter a user name.");
    await shot(page, "01-sign-in");

    await signIn(page, "alice");
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

    await noteItems(second).first().getByRole("button", { name: "Edit" }).click();
    const retryForm = noteItems(second).first().getByRole("form", { name: "Edit note" });
    await retryForm.getByLabel("Note").fill("Call Bob about the trip: Saturday instead");
    await retryForm.getByRole("button", { name: "Save" }).click();
    await expect.poll(() => status(second).innerText()).toBe("Note saved.");
    expect(await noteItem(second, "Saturday instead").innerText()).toContain("version 3");

    // A stale edit in the first tab now conflicts too; "Load latest version" shows the other tab's text.
    await page.bringToFront();
    await noteItem(page, "Friday works").getByRole("button", { name: "Edit" }).click();
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
    const token = await page.evaluate(() => JSON.parse(localStorage.getItem("notes.session")!).token as string);
    const request = typedClient(fetch, server.url, { byHash: true });
    const bulk = Array.from({ length: PAGE_SIZE + 2 }, (_, i) => `Bulk note ${String(i + 1).padStart(2, "0")}`);
    for (const content of bulk) {
      const result = await request(CreateNoteDocument, { input: { content } }, token);
      expect(result.errors).toBeUndefined();
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

  it("keeps everything across a reload and a server restart on the same data directory", async () => {
    const before = await contents(page);
    await server.close();
    await startServer(port);

    await page.reload();
    await noteItems(page).first().waitFor();
    await page.getByRole("button", { name: "Load more" }).click();
    await expect.poll(() => noteItems(page).count()).toBe(before.length);
    expect(await contents(page)).toEqual(before);
    expect(await page.getByText("Signed in as alice").isVisible()).toBe(true);
  });

  it("shows bob none of alice's notes", async () => {
    await page.getByRole("button", { name: "Sign out" }).click();
    await signIn(page, "bob");
    await page.getByText("No notes yet. Write your first one above.").waitFor();
    expect(await noteItems(page).count()).toBe(0);
    await addNote(page, "Bob's own note");
    expect(await contents(page)).toEqual(["Bob's own note"]);
    await shot(page, "07-bob");
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
      const { token } = JSON.parse(localStorage.getItem("notes.session")!) as { token: string };
      const response = await fetch("/graphql", {
        method: "POST",
        headers: { "content-type": "application/json", authorization: `Bearer ${token}` },
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
      const stored = JSON.parse(localStorage.getItem("notes.session")!) as { token: string };
      const [header, payload] = stored.token.split(".");
      localStorage.setItem("notes.session", JSON.stringify({ token: `${header}.${payload}.${"A".repeat(86)}` }));
    });
    await page.reload();
    await expect.poll(() => page.getByRole("status").innerText()).toBe("Your session has ended. Please sign in again.");
    expect(await page.getByLabel("User name").isVisible()).toBe(true);
  });
});
