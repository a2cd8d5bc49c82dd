/**
 * Headless Chromium for browser tests: Debian's /usr/bin/chromium (installed by .ci/run) driven
 * by playwright-core, with a fresh profile and the flags this closed network needs (no
 * background connections, no QUIC). Console errors and page errors are collected per page.
 */
import { copyFile, mkdir, mkdtemp, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { chromium, type BrowserContext, type Page } from "playwright-core";
import { ROOT } from "../helpers/cli.js";

export const CHROMIUM = "/usr/bin/chromium";
const ARGS = [
  "--headless",
  "--no-sandbox",
  "--disable-gpu",
  "--disable-quic",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
];

export interface TestBrowser {
  page(): Promise<{ page: Page; errors: string[] }>;
  /** Saves a screenshot (full page by default); RUNFLOW_BATCH_SCREENSHOTS=1: also into docs/screenshots/. */
  screenshot(page: Page, name: string, fullPage?: boolean): Promise<string>;
  close(): Promise<void>;
}

export async function launchBrowser(viewport = { width: 1280, height: 900 }): Promise<TestBrowser> {
  const profile = await mkdtemp(path.join(os.tmpdir(), "rfb-chromium-"));
  const context: BrowserContext = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    args: ARGS,
    viewport,
  });
  return {
    async page() {
      const page = await context.newPage();
      const errors: string[] = [];
      page.on("console", (message) => {
        if (message.type() === "error") errors.push(message.text());
      });
      page.on("pageerror", (error) => errors.push(error.message));
      return { page, errors };
    },
    async screenshot(page, name, fullPage = true) {
      const file = path.join(os.tmpdir(), `rfb-screenshot-${name}.png`);
      await page.screenshot({ path: file, fullPage });
      if (process.env.RUNFLOW_BATCH_SCREENSHOTS === "1") {
        await mkdir(path.join(ROOT, "docs/screenshots"), { recursive: true });
        await copyFile(file, path.join(ROOT, "docs/screenshots", `${name}.png`));
      }
      return file;
    },
    async close() {
      await context.close();
      await rm(profile, { recursive: true, force: true });
    },
  };
}

/**
 * Waits until every image of these cards has loaded, scrolling each image not yet loaded into
 * view (they load lazily). Cards swapped in by a live page are picked up on the next check.
 */
export async function loadCardImages(page: Page, selector: string): Promise<void> {
  // Runs in the page (as text: this project's TypeScript has no DOM types).
  const check = `(() => {
    const images = [...document.querySelectorAll(${JSON.stringify(`${selector} img`)})];
    const waiting = images.filter((img) => !(img.complete && img.naturalWidth > 0));
    if (waiting[0]) waiting[0].scrollIntoView();
    return images.length > 0 && waiting.length === 0;
  })()`;
  await page.waitForFunction(check, null, { timeout: 20_000, polling: 100 });
}
