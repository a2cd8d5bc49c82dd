/**
 * Headless Chromium for browser tests, driven by playwright-core with a fresh profile and the
 * flags this closed network needs (no background connections, no QUIC). Console errors and page
 * errors are collected per page. The browser is CHROMIUM_PATH, else Debian's /usr/bin/chromium
 * (installed by .ci/run), else `chromium` or `chromium-browser` on PATH. Without one, the browser
 * tests are skipped with a message saying so — except under CI, where that is a failure.
 */
import { accessSync, constants, statSync } from "node:fs";
import { copyFile, mkdir, mkdtemp, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { chromium, type BrowserContext, type Page } from "playwright-core";
import { describe, it } from "vitest";
import { ROOT } from "../helpers/cli.js";

function executable(file: string): boolean {
  try {
    accessSync(file, constants.X_OK);
    return statSync(file).isFile();
  } catch {
    return false;
  }
}

type ChromiumSearch = { found: string } | { missing: string };

/** Finds Chromium, or says why there is none (what was looked at, how to provide one). */
function findChromium(env: NodeJS.ProcessEnv = process.env): ChromiumSearch {
  const given = env.CHROMIUM_PATH;
  if (given) {
    return executable(given)
      ? { found: given }
      : { missing: `CHROMIUM_PATH=${given} is not an executable file` };
  }
  const onPath = (env.PATH ?? "").split(path.delimiter).filter(Boolean);
  const candidates = [
    "/usr/bin/chromium",
    ...["chromium", "chromium-browser"].flatMap((name) => onPath.map((dir) => path.join(dir, name))),
  ];
  const found = candidates.find(executable);
  return found
    ? { found }
    : {
        missing:
          "no Chromium (looked for CHROMIUM_PATH, /usr/bin/chromium, chromium and chromium-browser on PATH); " +
          "install Debian's chromium or set CHROMIUM_PATH",
      };
}

const search = findChromium();
const inCi = !!process.env.CI && !["false", "0"].includes(process.env.CI);

/**
 * `describe` for tests that need the browser. Without one they are skipped, saying why — unless
 * the browser was asked for explicitly (CHROMIUM_PATH) or this is CI (CI set): then a failure.
 */
export function describeInBrowser(name: string, body: () => void): void {
  if ("found" in search) {
    describe(name, body);
    return;
  }
  if (inCi || process.env.CHROMIUM_PATH) {
    describe(name, () => {
      it("has a browser to run in", () => {
        throw new Error(`browser tests cannot run: ${search.missing}`);
      });
    });
    return;
  }
  console.warn(`Skipping the browser tests (${name}): ${search.missing}.`);
  describe.skip(`${name} — skipped: ${search.missing}`, body);
}

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
  if (!("found" in search)) throw new Error(`browser tests cannot run: ${search.missing}`);
  const profile = await mkdtemp(path.join(os.tmpdir(), "rfb-chromium-"));
  const context: BrowserContext = await chromium.launchPersistentContext(profile, {
    executablePath: search.found,
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
