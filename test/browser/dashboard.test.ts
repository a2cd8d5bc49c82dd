/**
 * The dashboard in headless Chromium while a batch runs (real Redis, the simulator over HTTP):
 * `/` lists the batch and refreshes its progress; the batch page shows loaded images for
 * succeeded rows, Runflow's reason for failed ones, one chart group per model × tier, working
 * filters, and ends with the report's amounts once the batch is done. bull-board opens at /queues.
 * The simulator runs on a manual clock: the batch moves only when the test lets time pass, so the
 * pages are looked at while it surely runs.
 */
import { readFile } from "node:fs/promises";
import path from "node:path";
import { afterAll, beforeAll, expect, it } from "vitest";
import { startDashboard } from "../../src/dashboard/server.js";
import { createBatchRecords } from "../../src/ledger/batch-records.js";
import { createKeys } from "../../src/ledger/keys.js";
import { cli } from "../helpers/cli.js";
import { advanceUntil, advanceWhile } from "../helpers/drive-clock.js";
import { manualClock } from "../helpers/manual-clock.js";
import { generations, mixedRows, tempDir, writeJsonl } from "../helpers/manifests.js";
import { useTestbed } from "../helpers/testbed.js";
import { describeInBrowser, launchBrowser, loadCardImages, type TestBrowser } from "./browser.js";

interface Line {
  id: string;
  status: string;
  error: string | null;
}

describeInBrowser("dashboard in a browser", () => {
  const clock = manualClock(Date.now());
  const bed = useTestbed({
    latencyMs: { min: 250, max: 700 },
    failRate: 0.3,
    seed: 21,
    apiKeys: ["rf_test_key"],
    clock,
  });
  let browser: TestBrowser;
  beforeAll(async () => {
    browser = await launchBrowser();
  });
  afterAll(async () => {
    await browser.close();
  });

  it("shows a running batch live on / and on its page, then its final amounts", async () => {
    const dir = await tempDir();
    const rows = [...mixedRows(), ...generations(14, "low", "live-")];
    const manifest = await writeJsonl(dir, rows);
    const out = path.join(dir, "out");
    const keys = createKeys(bed.redis.prefix);
    const dashboard = await startDashboard({ redis: bed.redis.redis, keys, port: 0, refreshMs: 250 });
    try {
      const args = [
        "run",
        manifest,
        "--out",
        out,
        "--batch",
        "live",
        "--poll-interval",
        "50",
        "--concurrency",
        "3",
      ];
      const running = cli(args, bed.env());
      const records = createBatchRecords(bed.redis.redis, keys);
      const live = async () => (await records.get("live")) ?? { succeeded: 0, failed: 0 };
      // The clock moves until two rows are done, then stands: the batch waits on runs in flight.
      await advanceUntil(clock, async () => (await live()).succeeded >= 2, { what: "two rows done" });

      const { page, errors } = await browser.page();
      await page.goto(`${dashboard.url}/`);
      const row = page.locator('tr.batch[data-batch="live"]');
      expect(await row.getAttribute("data-state")).toBe("running");
      const before = Number(await row.locator(".done").getAttribute("data-done"));
      expect(before).toBeLessThan(rows.length);
      // More rows end than the page showed (some failed), and / shows it without a reload. (Rows
      // whose runs had ended may be recorded after the clock stood: the page can start past two.)
      await advanceUntil(
        clock,
        async () => {
          const now = await live();
          return now.succeeded + now.failed > before && now.succeeded > 2 && now.failed > 0;
        },
        { what: "more rows done than the page showed, one failed" },
      );
      const doneNow = `Number(document.querySelector('tr.batch[data-batch="live"] .done')?.dataset.done)`;
      await page.waitForFunction(`${doneNow} > ${before}`, null, { timeout: 30_000 });
      await browser.screenshot(page, "dashboard");

      await page.goto(`${dashboard.url}/batches/live`);
      const count = (selector: string) => `document.querySelectorAll(${JSON.stringify(selector)}).length`;
      const someOfEach = `${count(".card.st-failed")} > 0 && ${count(".card.st-succeeded")} > 2`;
      await page.waitForFunction(someOfEach, null, { timeout: 30_000 });
      expect(await page.locator(".card").count()).toBe(rows.length);
      expect(await page.locator(".batch-header .state").textContent()).toBe("running");
      // Tall enough for every card: images of cards the live page swaps in load at once (cached).
      await page.setViewportSize({ width: 1280, height: 3600 });
      await loadCardImages(page, ".card.st-succeeded");
      const groups = await page.locator("svg.cost-chart g.bar-group").count();
      await browser.screenshot(page, "dashboard-batch");

      const result = await advanceWhile(clock, running);
      expect(result.code, result.stderr).toBe(1);
      await page.waitForFunction(`document.body.dataset.finished === "true"`, null, { timeout: 30_000 });
      const report = JSON.parse(await readFile(path.join(out, "cost-report.json"), "utf8"));
      const lines = (await readFile(path.join(out, "results.jsonl"), "utf8"))
        .trim()
        .split("\n")
        .map((l) => JSON.parse(l) as Line);
      expect(groups).toBe(report.by_tier.length);
      const chart = await page
        .locator("svg.cost-chart g.bar-group")
        .evaluateAll((gs) =>
          gs.map((g) => [
            g.getAttribute("data-model"),
            g.getAttribute("data-quality") || null,
            g.getAttribute("data-estimated-usd"),
            g.getAttribute("data-actual-usd"),
          ]),
        );
      expect(chart).toEqual(
        report.by_tier.map(
          (t: { model: string; quality: string | null; estimated_usd: string; actual_usd: string }) => [
            t.model,
            t.quality,
            t.estimated_usd,
            t.actual_usd,
          ],
        ),
      );
      await loadCardImages(page, ".card.st-succeeded");
      for (const line of lines.filter((l) => l.status === "failed")) {
        expect(await page.locator(`.card[data-id="${line.id}"] .reason`).textContent()).toBe(line.error);
      }
      await page.selectOption("select[name=status]", "failed");
      const visible = await page
        .locator(".card:not([hidden])")
        .evaluateAll((cards) => cards.map((c) => c.getAttribute("data-id")));
      expect(visible.sort()).toEqual(
        lines
          .filter((l) => l.status === "failed")
          .map((l) => l.id)
          .sort(),
      );
      expect(errors).toEqual([]);

      // bull-board: both queues, read-only (no actions) by default.
      const api = (await (await fetch(`${dashboard.url}/queues/api/queues`)).json()) as {
        queues: { name: string; readOnlyMode: boolean }[];
      };
      expect(api.queues.map((q) => [q.name, q.readOnlyMode]).sort()).toEqual([
        ["edit-live", true],
        ["generate-live", true],
      ]);
      const queues = await browser.page();
      await queues.page.goto(`${dashboard.url}/queues/queue/generate-live?status=completed`);
      // A page of completed jobs, each showing the row it carries.
      await queues.page.waitForSelector("text=jobData", { timeout: 20_000 });
      expect(await queues.page.locator("text=openai/gpt-image-2").count()).toBeGreaterThan(0);
      await browser.screenshot(queues.page, "queues", false);
    } finally {
      await dashboard.close();
    }
  });
});
