/**
 * report.html's paging, on disk: cards split into page files, relative links that work from
 * each page's folder, failed counts per page in the links, and pages left from a larger report
 * removed; thumbnails fall back to the full image when an image cannot be read.
 */
import { mkdir, readdir, readFile, writeFile } from "node:fs/promises";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { openHtmlReport } from "./html-writer.js";
import type { HeaderModel } from "./html/header.js";
import { pendingLine, type ResultLine } from "./result-lines.js";
import { createThumbnailer } from "./thumbnails.js";
import { tempDir } from "../../test/helpers/manifests.js";

const header: HeaderModel = {
  batch: "b-pages",
  manifest: "/m.jsonl",
  state: "done",
  generatedAt: "2026-12-01T00:00:00.000Z",
  startedAt: null,
  finishedAt: null,
  durationMs: null,
  rows: { total: 5, succeeded: 4, failed: 1, pending: 0, held: 0, inFlight: 0 },
  images: 4,
  estimatedMicros: 45_000,
  actualMicros: 36_000,
  reservedMicros: 0,
  remainingEstimateMicros: 0,
  capMicros: null,
  tiers: [{ model: "openai/gpt-image-2", quality: "low", estimatedMicros: 45_000, actualMicros: 36_000 }],
  budgetHistory: [],
  failures: { total: 1, listed: [{ id: "r3", reason: "failed: nope", page: 2 }] },
};

function line(i: number): ResultLine {
  const base = pendingLine({ key: `r${i}`, model: "openai/gpt-image-2", quality: "low" }, 9_000, false, null);
  return i === 3
    ? { ...base, status: "failed", error: "failed: nope", cost_usd: "0.000" }
    : { ...base, status: "succeeded", images: [`images/r${i}.png`], cost_usd: "0.009" };
}

describe("report pages", () => {
  it("splits cards into pages with working relative links and removes stale pages", async () => {
    const dir = await tempDir();
    await mkdir(path.join(dir, "report-pages"), { recursive: true });
    await writeFile(path.join(dir, "report-pages", "page-9.html"), "stale");
    const html = await openHtmlReport(dir, () => null, 2);
    for (let i = 0; i < 5; i++) await html.add(line(i));
    expect(await html.finish(header)).toEqual([
      "report.html",
      "report-pages/page-2.html",
      "report-pages/page-3.html",
    ]);
    expect((await readdir(path.join(dir, "report-pages"))).sort()).toEqual(["page-2.html", "page-3.html"]);
    expect((await readdir(dir)).filter((n) => n.startsWith("."))).toEqual([]); // no fragments left

    const first = await readFile(path.join(dir, "report.html"), "utf8");
    expect(first).toContain('src="images/r0.png"');
    expect(first).toContain('href="report-pages/page-2.html" title="1 failed"');
    expect(first).toContain('href="report-pages/page-2.html#q=r3"');
    const second = await readFile(path.join(dir, "report-pages", "page-2.html"), "utf8");
    expect(second).toContain('src="../images/r2.png"');
    expect(second).toContain('href="../report.html"');
    expect(second).toContain('href="page-3.html"');
    expect(second.match(/<article /g)).toHaveLength(2);
    expect(second).toContain('<p class="reason">failed: nope</p>');

    // A smaller report later: the extra pages go.
    const again = await openHtmlReport(dir, () => null, 2);
    await again.add(line(0));
    await again.finish({ ...header, failures: { total: 0, listed: [] } });
    expect(await readdir(path.join(dir, "report-pages"))).toEqual([]);
    expect(await readFile(path.join(dir, "report.html"), "utf8")).not.toContain("report-pages/page-2.html");
  });

  it("shows the full image when a thumbnail cannot be made", async () => {
    const dir = await tempDir();
    await mkdir(path.join(dir, "images"), { recursive: true });
    await writeFile(path.join(dir, "images", "bad.png"), "not a png");
    const errors: string[] = [];
    const thumbs = createThumbnailer(dir, { enabled: true, onError: (image) => errors.push(image) });
    await thumbs.prepare(["images/bad.png", "images/missing.png"]);
    expect(thumbs.thumbFor("images/bad.png")).toBeNull();
    expect(thumbs.thumbFor("images/missing.png")).toBeNull();
    expect(errors.sort()).toEqual(["images/bad.png", "images/missing.png"]);
    expect(thumbs.stats()).toMatchObject({ made: 0, failed: 2 });
  });

  it("stops making thumbnails past its time budget, and the next report goes on from there", async () => {
    const dir = await tempDir();
    await mkdir(path.join(dir, "images"), { recursive: true });
    const sharp = (await import("sharp")).default;
    for (const name of ["a", "b"]) {
      await sharp({ create: { width: 64, height: 48, channels: 3, background: "#3366cc" } })
        .png()
        .toFile(path.join(dir, "images", `${name}.png`));
    }
    let t = 1_000;
    const first = createThumbnailer(dir, { enabled: true, budgetMs: 50, now: () => t });
    await first.prepare(["images/a.png"]);
    t += 100; // past the budget
    await first.prepare(["images/b.png"]);
    expect(first.stats()).toMatchObject({ made: 1, skipped: 1 });
    expect(first.thumbFor("images/a.png")).toBe("thumbs/a.webp");
    expect(first.thumbFor("images/b.png")).toBeNull();

    const next = createThumbnailer(dir, { enabled: true, budgetMs: 50, now: () => t });
    await next.prepare(["images/a.png", "images/b.png"]);
    expect(next.stats()).toMatchObject({ made: 1, reused: 1, skipped: 0 });
    const meta = await sharp(path.join(dir, "thumbs", "b.webp")).metadata();
    expect([meta.format, meta.width, meta.height]).toEqual(["webp", 64, 48]);
  });
});
