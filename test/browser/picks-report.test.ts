/**
 * Picking in report.html opened from file:// in headless Chromium (issue 21): images picked and
 * rejected with the mouse and the keyboard (arrow keys, P, X, U, N), the counts, the filter by
 * pick state, picks kept across a reload, and the exported picks.csv — byte for byte what
 * `picks --export` writes once it is imported.
 */
import { readFile } from "node:fs/promises";
import path from "node:path";
import { pathToFileURL } from "node:url";
import { afterAll, beforeAll, expect, it } from "vitest";
import { cli } from "../helpers/cli.js";
import { tempDir, writeJsonl, type TestRow } from "../helpers/manifests.js";
import { useTestbed } from "../helpers/testbed.js";
import { describeInBrowser, launchBrowser, loadCardImages, type TestBrowser } from "./browser.js";

const EXPECTED_CSV = 'id,image,pick,note\nchair,2,pick,\nchair,3,reject,\nlamp,1,pick,"warm, soft light"\n';

describeInBrowser("picking in report.html", () => {
  const bed = useTestbed({ latencyMs: 5, seed: 5 });
  let browser: TestBrowser;
  beforeAll(async () => {
    browser = await launchBrowser();
  });
  afterAll(async () => {
    await browser.close();
  });

  it("picks and rejects with the mouse and the keyboard, filters, keeps and exports the picks", async () => {
    const dir = await tempDir();
    const rows: TestRow[] = ["chair", "lamp", "sofa"].map((id) => ({
      id,
      model: "openai/gpt-image-2",
      prompt: `a ${id} in a sunlit room`,
      quality: "low",
      num_images: 3,
    }));
    rows.push({ id: "rug", model: "openai/gpt-image-2", prompt: "a rug", quality: "low" });
    const out = path.join(dir, "drafts");
    const run = await cli(
      ["run", await writeJsonl(dir, rows), "--out", out, "--batch", "drafts", "--poll-interval", "10"],
      bed.env(),
    );
    expect(run.code, run.stderr).toBe(0);

    const { page, errors } = await browser.page();
    await page.goto(pathToFileURL(path.join(out, "report.html")).href);
    await loadCardImages(page, ".card");
    const shot = (id: string, n: number) => page.locator(`.card[data-id="${id}"] .shot[data-image="${n}"]`);
    const counts = page.locator(".picks-counts");
    await expect(counts.textContent()).resolves.toBe("0 picked · 0 rejected");

    // The mouse: ✓ on chair's second image.
    await shot("chair", 2).locator("button[data-v=pick]").click();
    // The keyboard: down from it is chair's third image (the 2 × 2 grid); X rejects it.
    await page.keyboard.press("ArrowDown");
    await page.keyboard.press("x");
    // Right moves on to the next image on the sheet: lamp's first. P, then N for a note.
    await page.keyboard.press("ArrowRight");
    await page.keyboard.press("p");
    page.once("dialog", (dialog) => void dialog.accept("warm, soft light"));
    await page.keyboard.press("n");
    // P then U on lamp's second image leaves it without a verdict.
    await page.keyboard.press("ArrowRight");
    await page.keyboard.press("p");
    await page.keyboard.press("u");
    // ✗ twice on sofa's first image: rejected, then cleared.
    await shot("sofa", 1).locator("button[data-v=reject]").click();
    await expect(shot("sofa", 1).getAttribute("class")).resolves.toContain("pk-reject");
    await shot("sofa", 1).locator("button[data-v=reject]").click();

    const classes = async () =>
      Object.fromEntries(
        await page
          .locator(".shot[data-image]")
          .evaluateAll((shots) =>
            shots.map((s) => [
              `${s.closest(".card")?.getAttribute("data-id")}-${s.getAttribute("data-image")}`,
              s.classList.contains("pk-pick") ? "pick" : s.classList.contains("pk-reject") ? "reject" : "",
            ]),
          ),
      );
    const marked = {
      "chair-1": "",
      "chair-2": "pick",
      "chair-3": "reject",
      "lamp-1": "pick",
      "lamp-2": "",
      "lamp-3": "",
      "sofa-1": "",
      "sofa-2": "",
      "sofa-3": "",
      "rug-1": "",
    };
    expect(await classes()).toEqual(marked);
    await expect(counts.textContent()).resolves.toBe("2 picked · 1 rejected");
    await expect(shot("chair", 2).locator("button[data-v=pick]").getAttribute("aria-pressed")).resolves.toBe(
      "true",
    );

    // The filter by pick state: a card shows when one of its images is in that state.
    const visibleIds = () =>
      page.locator(".card:not([hidden])").evaluateAll((cards) => cards.map((c) => c.getAttribute("data-id")));
    await page.selectOption("select[name=pick]", "pick");
    expect(await visibleIds()).toEqual(["chair", "lamp"]);
    await page.selectOption("select[name=pick]", "reject");
    expect(await visibleIds()).toEqual(["chair"]);
    await page.selectOption("select[name=pick]", "none");
    expect(await visibleIds()).toEqual(["chair", "lamp", "sofa", "rug"]);
    await page.selectOption("select[name=pick]", "");

    // Export: the picks.csv download.
    const [download] = await Promise.all([page.waitForEvent("download"), page.click(".picks-export")]);
    expect(download.suggestedFilename()).toBe("picks.csv");
    const exported = path.join(dir, "picks.csv");
    await download.saveAs(exported);
    const text = await readFile(exported, "utf8");
    expect(text).toBe(EXPECTED_CSV);

    // Kept in the browser: a reload shows the same picks.
    await page.reload();
    await loadCardImages(page, ".card");
    expect(await classes()).toEqual(marked);
    await expect(counts.textContent()).resolves.toBe("2 picked · 1 rejected");
    await expect(shot("lamp", 1).getAttribute("title")).resolves.toBe("warm, soft light");

    // The same file as the command line's: imported, then exported again, byte for byte.
    const imported = await cli(["picks", out, "--import", exported], bed.env());
    expect(imported.code, imported.stderr).toBe(0);
    expect((await cli(["picks", "drafts"], bed.env())).stdout).toBe(text);

    await page.keyboard.press("ArrowRight"); // the README's screenshot shows a selected image too
    await browser.screenshot(page, "picks-report", false);
    expect(errors).toEqual([]);
  });
});
