/**
 * report.html of a batch whose directory is an S3 prefix, opened from a local copy of the prefix
 * (what `aws s3 sync s3://BUCKET/PREFIX DIR` makes) in headless Chromium: every succeeded card's
 * images load through the report's relative links (thumbnails made in object storage, and the
 * full images they link to), and there are no console errors.
 */
import path from "node:path";
import { pathToFileURL } from "node:url";
import { afterAll, beforeAll, expect, it } from "vitest";
import { cli } from "../helpers/cli.js";
import { generations, tempDir, writeJsonl } from "../helpers/manifests.js";
import { startS3, type TestS3 } from "../helpers/s3.js";
import { useTestbed } from "../helpers/testbed.js";
import { describeInBrowser, launchBrowser, loadCardImages, type TestBrowser } from "./browser.js";

describeInBrowser("report.html of a batch in object storage", () => {
  const bed = useTestbed({ latencyMs: { min: 5, max: 20 }, seed: 4 });
  let browser: TestBrowser;
  let s3: TestS3;
  beforeAll(async () => {
    browser = await launchBrowser();
    s3 = await startS3();
  });
  afterAll(async () => {
    await browser?.close();
    await s3?.close();
  });

  it("shows every image from a local copy of the prefix", async () => {
    const dir = await tempDir();
    const rows = [
      ...generations(30),
      { id: "pair", model: "openai/gpt-image-2", prompt: "two views", quality: "low", num_images: 2 },
    ];
    const manifest = await writeJsonl(dir, rows);
    const prefix = `html-${bed.redis.prefix}`;
    const run = await cli(
      ["run", manifest, "--out", `s3://${s3.bucket}/${prefix}`, "--poll-interval", "20"],
      {
        ...bed.env(),
        ...s3.env(),
      },
    );
    expect(run.code, run.stderr).toBe(0);
    const copy = path.join(dir, "copy");
    const files = await s3.sync(prefix, copy);
    expect(files).toContain("report.html");
    expect(files.filter((f) => f.startsWith("images/"))).toHaveLength(32);
    // With sharp installed (an optional dependency), the thumbnails were made in the store too.
    const sharp = await import("sharp").then(
      () => true,
      () => false,
    );
    if (sharp) expect(files.filter((f) => f.startsWith("thumbs/") && f.endsWith(".webp"))).toHaveLength(32);

    const { page, errors } = await browser.page();
    await page.goto(pathToFileURL(path.join(copy, "report.html")).href);
    expect(await page.locator(".card").count()).toBe(rows.length);
    await loadCardImages(page, ".card.st-succeeded");
    const shown = await page.locator(".card.st-succeeded img").evaluateAll((imgs) =>
      imgs.map((i) => ({
        src: i.getAttribute("src"),
        width: (i as unknown as { naturalWidth: number }).naturalWidth,
      })),
    );
    expect(shown).toHaveLength(32);
    expect(shown.every((img) => img.width > 0)).toBe(true);
    // Relative links into the copy: thumbnails when sharp made them in the store, else the images.
    expect(shown.every((img) => /^(thumbs|images)\//.test(img.src ?? ""))).toBe(true);
    const links = await page
      .locator(".card.st-succeeded a[href]")
      .evaluateAll((as) => as.map((a) => a.getAttribute("href")));
    for (const href of links.filter((h) => h?.startsWith("images/"))) expect(files).toContain(href);
    expect(errors).toEqual([]);
  });
});
