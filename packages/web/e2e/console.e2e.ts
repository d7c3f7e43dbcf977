import { mkdir, mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import type { BrowserContext, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildWebApp } from "../scripts/build.ts";
import { npmStart, type NpmStart } from "../../functions/test/npm-start.ts";
import { hasChromium, launchChromium } from "./chromium.ts";

/** The local console (/console on npm start) in headless Chromium. */
// docs/console.png is a copy of this shot.
const ARTIFACTS = fileURLToPath(new URL("../../../test-artifacts/console/", import.meta.url));

describe.skipIf(!hasChromium)("the local console in headless Chromium, against npm start", () => {
  let dataDir: string;
  let profileDir: string;
  let server: NpmStart;
  let context: BrowserContext;
  let consolePage: Page;
  const pageErrors: string[] = [];

  beforeAll(async () => {
    await buildWebApp();
    await mkdir(ARTIFACTS, { recursive: true });
    dataDir = await mkdtemp(join(tmpdir(), "notes-console-e2e-"));
    profileDir = await mkdtemp(join(tmpdir(), "notes-console-chromium-"));
    server = await npmStart({ PORT: "0", DATA_DIR: dataDir, LOG_LEVEL: "INFO", POWERTOOLS_METRICS_DISABLED: "false" });
    context = await launchChromium(profileDir, { width: 1280, height: 800 });
    context.on("page", (page) => page.on("pageerror", (error) => pageErrors.push(error.message)));
    consolePage = context.pages()[0] ?? (await context.newPage());
    consolePage.on("pageerror", (error) => pageErrors.push(error.message));
  });

  afterAll(async () => {
    await context?.close();
    await server?.stop();
    if (dataDir) await rm(dataDir, { recursive: true, force: true });
    if (profileDir) await rm(profileDir, { recursive: true, force: true });
  });

  it("shows a request made in another page as it happens, and its log line when opened", async () => {
    await consolePage.goto(`${server.origin}/console`);
    await consolePage.getByText("No invocations yet — open the web app or GraphiQL").waitFor();
    await consolePage.getByRole("status").filter({ hasText: "Live" }).waitFor();

    const other = await context.newPage();
    await other.goto(`${server.origin}/`);
    const statuses = await other.evaluate(async () => {
      const send = async (body: unknown) =>
        (await fetch("/graphql", { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(body) })).status;
      return [
        await send({ query: "query Me { me { id } }" }),
        await send({ query: "{ nope }" }),
        await send({ query: "query FromAnotherPage { __typename }", variables: { password: "hunter22" } }),
      ];
    });
    expect(statuses).toEqual([200, 200, 200]);

    const row = consolePage.getByRole("table", { name: "Invocations" }).getByRole("row").filter({ hasText: "FromAnotherPage" });
    await row.waitFor();
    await expect.poll(() => row.textContent()).toMatch(/FromAnotherPage200[\d.]+ ms(cold|warm)1/);
    await row.getByRole("button", { name: "FromAnotherPage" }).click();
    const detail = consolePage.getByRole("complementary", { name: "Invocation" });
    await detail.getByText("graphql request").first().waitFor();
    await expect.poll(() => detail.textContent()).toContain('"operationName": "FromAnotherPage"');
    await expect.poll(() => detail.textContent()).toContain("Requests");
    expect(await detail.textContent()).toContain('"password": "[redacted]"');
    expect(await detail.textContent()).not.toContain("hunter22");
    await consolePage.screenshot({ path: join(ARTIFACTS, "invocations.png") });
    await other.close();
  });

  it("creates a user and opens GraphiQL as that user, with a token that answers { me { id } }", async () => {
    await consolePage.getByRole("tab", { name: "Users" }).click();
    await consolePage.getByText("No users yet").waitFor();
    const form = consolePage.getByRole("form", { name: "Create a user" });
    await form.getByLabel("Email").fill("erin@example.com");
    await form.getByRole("button", { name: "Create user" }).click();
    const row = consolePage.getByRole("table", { name: "Users" }).getByRole("row").filter({ hasText: "erin@example.com" });
    await row.waitFor();
    const sub = (await row.getByRole("cell").nth(1).textContent())!;
    expect(sub).toMatch(/^[0-9a-f-]{36}$/);

    const [graphiql] = await Promise.all([context.waitForEvent("page"), row.getByRole("button", { name: "Open GraphiQL as this user" }).click()]);
    await graphiql.waitForURL(/\/graphql\?query=/);
    await graphiql.locator(".graphiql-container").first().waitFor();
    // The token the console put in GraphiQL's Headers tab, and the query it prefilled, run as they are.
    await graphiql.getByRole("button", { name: /Execute query/ }).click();
    await expect.poll(() => graphiql.locator(".result-window").textContent(), { timeout: 20_000 }).toContain(sub);
    expect(await graphiql.evaluate(() => localStorage.getItem("graphiql:headers"))).toMatch(/"Authorization": "Bearer eyJ/);
    expect(pageErrors).toEqual([]);
  });
});
