import { existsSync } from "node:fs";
import { chromium, type BrowserContext } from "playwright-core";

/** Debian's headless Chromium for the e2e suites; CHROMIUM_PATH points elsewhere. */
export const CHROMIUM = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";
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
const inCi = ["true", "1"].includes((process.env.CI ?? "").toLowerCase());
export const hasChromium = existsSync(CHROMIUM);

if (!hasChromium) {
  // In CI a missing browser is a broken pipeline, not a reason to pass.
  if (inCi) throw new Error(`CI is set but Chromium is missing at ${CHROMIUM}: apt-get install -y chromium`);
  console.warn(`[e2e] SKIPPED: no Chromium at ${CHROMIUM} (apt-get install -y chromium, or set CHROMIUM_PATH).`);
}

/** A headless Chromium with its own profile directory, English and UTC. */
export async function launchChromium(profileDir: string, viewport = { width: 1000, height: 860 }): Promise<BrowserContext> {
  const context = await chromium.launchPersistentContext(profileDir, {
    executablePath: CHROMIUM,
    headless: true,
    args: CHROMIUM_ARGS,
    viewport,
    locale: "en-US",
    timezoneId: "UTC",
  });
  context.setDefaultTimeout(15_000);
  return context;
}
