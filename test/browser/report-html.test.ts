/**
 * report.html of a finished mixed batch (some rows failed), opened over file:// in headless
 * Chromium: no console errors, every succeeded card's images loaded, failed cards show Runflow's
 * reason, the SVG chart has one bar group per model × tier with cost-report.json's amounts, and
 * the filters and search work.
 */
import { readFile } from "node:fs/promises";
import path from "node:path";
import { pathToFileURL } from "node:url";
import { afterAll, beforeAll, expect, it } from "vitest";
import { cli } from "../helpers/cli.js";
import { mixedRows, tempDir, writeJsonl, type TestRow } from "../helpers/manifests.js";
import { useTestbed } from "../helpers/testbed.js";
import { describeInBrowser, launchBrowser, loadCardImages, type TestBrowser } from "./browser.js";

interface Line {
  id: string;
  model: string;
  quality: string | null;
  status: string;
  images: string[];
  error: string | null;
}

function rowsWithPrompts(): TestRow[] {
  const rows = mixedRows();
  for (let i = 0; i < 8; i++)
    rows.push({
      id: `shot-${i}`,
      model: "openai/gpt-image-2",
      prompt: `catalogue shot number ${i}`,
      quality: "low",
    });
  return rows;
}

describeInBrowser("report.html in a browser", () => {
  const bed = useTestbed({
    latencyMs: { min: 5, max: 30 },
    failRate: 0.35,
    seed: 3,
    apiKeys: ["rf_test_key"],
  });
  let browser: TestBrowser;
  beforeAll(async () => {
    browser = await launchBrowser();
  });
  afterAll(async () => {
    await browser.close();
  });

  it("shows every image, every failure's reason, the right chart, and working filters", async () => {
    const dir = await tempDir();
    const rows = rowsWithPrompts();
    const manifest = await writeJsonl(dir, rows);
    const out = path.join(dir, "out");
    const run = await cli(
      ["run", manifest, "--out", out, "--batch", "browser", "--poll-interval", "20"],
      bed.env(),
    );
    expect(run.code, run.stderr).toBe(1); // some rows failed
    const lines = (await readFile(path.join(out, "results.jsonl"), "utf8"))
      .trim()
      .split("\n")
      .map((l) => JSON.parse(l) as Line);
    const succeeded = lines.filter((l) => l.status === "succeeded");
    const failed = lines.filter((l) => l.status === "failed");
    expect(succeeded.length).toBeGreaterThan(0);
    expect(failed.length).toBeGreaterThan(0);
    const report = JSON.parse(await readFile(path.join(out, "cost-report.json"), "utf8"));

    const { page, errors } = await browser.page();
    await page.goto(pathToFileURL(path.join(out, "report.html")).href);
    expect(await page.locator(".card").count()).toBe(rows.length);

    // Images: each succeeded card shows as many images as the row has, all loaded.
    await loadCardImages(page, ".card.st-succeeded");
    for (const line of succeeded) {
      const widths = await page
        .locator(`.card[data-id="${line.id}"] img`)
        .evaluateAll((imgs) => imgs.map((i) => (i as unknown as { naturalWidth: number }).naturalWidth));
      expect(widths.length, line.id).toBe(Math.min(4, line.images.length));
      expect(
        widths.every((w) => w > 0),
        line.id,
      ).toBe(true);
    }
    for (const line of failed) {
      await expect(page.locator(`.card[data-id="${line.id}"] .reason`).textContent()).resolves.toBe(
        line.error,
      );
      expect(await page.locator(`.failures tr[data-id="${line.id}"] .reason`).textContent()).toBe(line.error);
    }

    // The chart: one bar group per model × tier, with the report's amounts, written out.
    const groups = await page.locator("svg.cost-chart g.bar-group").evaluateAll((gs) =>
      gs.map((g) => ({
        model: g.getAttribute("data-model"),
        quality: g.getAttribute("data-quality") || null,
        estimated: g.getAttribute("data-estimated-usd"),
        actual: g.getAttribute("data-actual-usd"),
        texts: [...g.querySelectorAll("text.amount")].map((t) => t.textContent),
      })),
    );
    expect(groups).toEqual(
      report.by_tier.map(
        (t: { model: string; quality: string | null; estimated_usd: string; actual_usd: string }) => ({
          model: t.model,
          quality: t.quality,
          estimated: t.estimated_usd,
          actual: t.actual_usd,
          texts: [`$${t.estimated_usd}`, `$${t.actual_usd}`],
        }),
      ),
    );

    // Filters: status, model, tier, search; counts agree with results.jsonl.
    const visibleIds = () =>
      page.locator(".card:not([hidden])").evaluateAll((cards) => cards.map((c) => c.getAttribute("data-id")));
    await page.selectOption("select[name=status]", "failed");
    expect((await visibleIds()).sort()).toEqual(failed.map((l) => l.id).sort());
    await page.selectOption("select[name=status]", "");
    await page.selectOption("select[name=model]", "runflow/product-isolation");
    expect((await visibleIds()).sort()).toEqual(
      lines
        .filter((l) => l.model === "runflow/product-isolation")
        .map((l) => l.id)
        .sort(),
    );
    await page.selectOption("select[name=model]", "");
    await page.selectOption("select[name=tier]", "medium");
    expect((await visibleIds()).sort()).toEqual(
      lines
        .filter((l) => l.quality === "medium")
        .map((l) => l.id)
        .sort(),
    );
    await page.selectOption("select[name=tier]", "");
    await page.fill("input[name=q]", "catalogue shot number 5");
    expect(await visibleIds()).toEqual(["shot-5"]);
    expect(page.url()).toContain("#q=catalogue");
    await page.fill("input[name=q]", "");
    expect(await page.locator(".card:not([hidden])").count()).toBe(rows.length);

    await browser.screenshot(page, "report");
    expect(errors).toEqual([]);
  });
});
