/**
 * Times in the viewer's own zone: report.html (a static file opened anywhere) and the dashboard's
 * list format their <time> elements in the browser, keeping the ISO in the element; the list says
 * where each batch's results go and what it was submitted from. Pages rendered by the real
 * renderers, opened over file:// in Chromium with its time zone set (CDP), in two zones.
 */
import { writeFile } from "node:fs/promises";
import path from "node:path";
import { pathToFileURL } from "node:url";
import type { Page } from "playwright-core";
import { afterAll, beforeAll, expect, it } from "vitest";
import { batchesPage } from "../../src/dashboard/views/batches-page.js";
import type { HeaderModel } from "../../src/report/html/header.js";
import { pageEnd, pageStart, type PagePlace } from "../../src/report/html/page.js";
import type { BatchStatus } from "../../src/report/status-view.js";
import { tempDir } from "../helpers/manifests.js";
import { describeInBrowser, launchBrowser, type TestBrowser } from "./browser.js";

const STARTED = "2026-01-15T14:03:07.000Z";
const header: HeaderModel = {
  batch: "b-times",
  manifest: "/data/products.csv",
  state: "done",
  generatedAt: "2026-01-15T14:05:00.000Z",
  startedAt: STARTED,
  finishedAt: "2026-01-15T14:04:59.000Z",
  durationMs: 112_000,
  rows: { total: 1, succeeded: 1, failed: 0, pending: 0, held: 0, inFlight: 0 },
  images: 1,
  estimatedMicros: 9_000,
  actualMicros: 9_000,
  reservedMicros: 0,
  remainingEstimateMicros: 0,
  capMicros: null,
  tiers: [{ model: "openai/gpt-image-2", quality: "low", estimatedMicros: 9_000, actualMicros: 9_000 }],
  budgetHistory: [],
  failures: { total: 0, listed: [] },
};
const place: PagePlace = { number: 1, count: 1, href: () => "report.html" };

const status: BatchStatus = {
  batch: "b-5e6f0fd9c05e",
  state: "done",
  created_at: STARTED,
  out: "/srv/catalogue/out/autumn",
  manifest: "/srv/catalogue/autumn.csv",
  rows: {
    total: 1,
    pending: 0,
    in_flight: 0,
    succeeded: 1,
    failed: 0,
    held_by_budget: 0,
    canceled: 0,
    waiting_for_lock: 0,
  },
  images: 1,
  money: { estimated_usd: "0.009", spent_usd: "0.009", reserved_usd: "0.000", cap_usd: null },
  by_tier: [],
  rows_per_minute: null,
  eta_seconds: null,
  elapsed_seconds: 112,
  ended_at: "2026-01-15T14:04:59.000Z",
  end_reason: null,
  waiting_for: [],
};

async function openIn(browser: TestBrowser, file: string, zone: string): Promise<Page> {
  const { page, errors } = await browser.page();
  const cdp = await page.context().newCDPSession(page);
  await cdp.send("Emulation.setTimezoneOverride", { timezoneId: zone });
  await page.goto(pathToFileURL(file).href);
  expect(errors).toEqual([]);
  return page;
}

describeInBrowser("times in the viewer's zone", () => {
  let browser: TestBrowser;
  let report: string;
  let list: string;
  beforeAll(async () => {
    browser = await launchBrowser();
    const dir = await tempDir();
    report = path.join(dir, "report.html");
    await writeFile(report, pageStart(header, place) + pageEnd(place));
    list = path.join(dir, "batches.html");
    await writeFile(list, batchesPage([status], 3_600_000));
  });
  afterAll(async () => {
    await browser.close();
  });

  it("report.html shows started, finished and generated in local time with the zone", async () => {
    for (const [zone, started, name] of [
      ["America/New_York", "09:03:07 AM", /EST/],
      ["Asia/Tokyo", "11:03:07 PM", /GMT\+9/], // the viewer's locale: en-US here
    ] as const) {
      const page = await openIn(browser, report, zone);
      const shown = await page.locator('[data-fact="started"] time').textContent();
      expect(shown, zone).toContain(started);
      expect(shown, zone).toMatch(name);
      expect(await page.locator('[data-fact="started"] time').getAttribute("datetime")).toBe(STARTED);
      expect(await page.locator('[data-fact="started"] time').getAttribute("title")).toBe(STARTED);
      expect(await page.locator('[data-fact="finished"] time').textContent()).toMatch(name);
      expect(await page.locator(".generated time").textContent()).toMatch(name);
      await page.close();
    }
  });

  it("the dashboard's list names each batch's directory and manifest, its time in local time", async () => {
    const page = await openIn(browser, list, "America/New_York");
    const row = page.locator('tr.batch[data-batch="b-5e6f0fd9c05e"]');
    expect(await row.locator("code.out").textContent()).toBe("/srv/catalogue/out/autumn");
    expect(await row.locator("code.manifest").textContent()).toBe("/srv/catalogue/autumn.csv");
    const created = await row.locator("time").textContent();
    expect(created).toContain("09:03:07");
    expect(created).toMatch(/EST/);
    await page.close();
  });
});
