/**
 * Picking on the dashboard's batch page in headless Chromium (issue 21): with a token and
 * --allow-actions, images picked and rejected with the mouse and the keyboard are stored on the
 * batch in Redis — kept across a reload, seen by a second browser (its own context and cookie),
 * filtered, exported as the same picks.csv `picks BATCH` prints. Without the token nothing is
 * answered; without --allow-actions the picks are shown and exported but not changed.
 */
import { readFile } from "node:fs/promises";
import path from "node:path";
import { afterAll, beforeAll, expect, it } from "vitest";
import { startDashboard } from "../../src/dashboard/server.js";
import { createKeys } from "../../src/ledger/keys.js";
import { cli } from "../helpers/cli.js";
import { eventually } from "../helpers/eventually.js";
import { tempDir, writeJsonl, type TestRow } from "../helpers/manifests.js";
import { useTestbed } from "../helpers/testbed.js";
import { describeInBrowser, launchBrowser, loadCardImages, type TestBrowser } from "./browser.js";

const TOKEN = "picks-token-1";

describeInBrowser("picking on the dashboard", () => {
  const bed = useTestbed({ latencyMs: 5, seed: 8 });
  let first: TestBrowser;
  let second: TestBrowser;
  beforeAll(async () => {
    first = await launchBrowser();
    second = await launchBrowser();
  });
  afterAll(async () => {
    await first.close();
    await second.close();
  });

  it("stores picks on the batch for every reviewer, behind the token, only with --allow-actions", async () => {
    const dir = await tempDir();
    const rows: TestRow[] = ["chair", "lamp", "sofa"].map((id) => ({
      id,
      model: "openai/gpt-image-2",
      prompt: `a ${id}`,
      quality: "low",
      num_images: 3,
    }));
    const run = await cli(
      ["run", await writeJsonl(dir, rows), "--out", path.join(dir, "drafts"), "--batch", "drafts"],
      bed.env(),
    );
    expect(run.code, run.stderr).toBe(0);
    const keys = createKeys(bed.redis.prefix);
    const common = { redis: bed.redis.redis, keys, port: 0, token: TOKEN, refreshMs: 250 };
    const dashboard = await startDashboard({ ...common, allowActions: true });
    const readOnly = await startDashboard(common);
    try {
      const stored = async () => {
        const res = await fetch(`${dashboard.url}/batches/drafts/picks`, {
          headers: { authorization: `Bearer ${TOKEN}` },
        });
        return (await res.json()) as { pick: number; reject: number };
      };
      const open = async (browser: TestBrowser, url: string) => {
        const opened = await browser.page();
        await opened.page.goto(`${url}/?token=${TOKEN}`); // the token once: a cookie from here on
        await opened.page.goto(`${url}/batches/drafts`);
        await loadCardImages(opened.page, ".card");
        return opened;
      };
      const { page, errors } = await open(first, dashboard.url);
      const shot = (p: typeof page, id: string, n: number) =>
        p.locator(`.card[data-id="${id}"] .shot[data-image="${n}"]`);
      await expect(page.locator(".picks-where").textContent()).resolves.toBe(
        "(kept on the batch, shared by reviewers)",
      );

      // Mouse and keyboard, saved on the batch.
      await shot(page, "chair", 2).locator("button[data-v=pick]").click();
      await page.keyboard.press("ArrowDown");
      await page.keyboard.press("x");
      await eventually(
        async () => {
          const s = await stored();
          return s.pick === 1 && s.reject === 1;
        },
        { what: "both verdicts stored on the batch" },
      );

      // Kept across a reload.
      await page.reload();
      await loadCardImages(page, ".card");
      await expect(shot(page, "chair", 2).getAttribute("class")).resolves.toContain("pk-pick");
      await expect(shot(page, "chair", 3).getAttribute("class")).resolves.toContain("pk-reject");
      await expect(page.locator(".picks-counts").textContent()).resolves.toBe("1 picked · 1 rejected");

      // A second reviewer in another browser sees them, and adds a pick the first sees after a reload.
      const other = await open(second, dashboard.url);
      await expect(shot(other.page, "chair", 2).getAttribute("class")).resolves.toContain("pk-pick");
      await shot(other.page, "lamp", 1).locator("button[data-v=pick]").click();
      await eventually(async () => (await stored()).pick === 2, {
        what: "the second reviewer's pick stored",
      });
      await page.reload();
      await loadCardImages(page, ".card");
      await expect(page.locator(".picks-counts").textContent()).resolves.toBe("2 picked · 1 rejected");

      // The filter, and the export: the same file `picks BATCH` prints.
      await page.selectOption("select[name=pick]", "pick");
      const visible = await page
        .locator(".card:not([hidden])")
        .evaluateAll((cards) => cards.map((c) => c.getAttribute("data-id")));
      expect(visible).toEqual(["chair", "lamp"]);
      const [download] = await Promise.all([page.waitForEvent("download"), page.click(".picks-export")]);
      const exported = path.join(dir, "picks.csv");
      await download.saveAs(exported);
      const text = await readFile(exported, "utf8");
      expect(text).toBe("id,image,pick,note\nchair,2,pick,\nchair,3,reject,\nlamp,1,pick,\n");
      expect((await cli(["picks", "drafts"], bed.env())).stdout).toBe(text);

      // Behind the token; and read-only without --allow-actions.
      const post = (url: string, headers: Record<string, string>) =>
        fetch(`${url}/batches/drafts/picks`, {
          method: "POST",
          headers: { "content-type": "application/json", ...headers },
          body: JSON.stringify({ id: "sofa", image: 1, pick: "pick" }),
        });
      expect((await post(dashboard.url, {})).status).toBe(401);
      expect((await post(readOnly.url, { authorization: `Bearer ${TOKEN}` })).status).toBe(403);
      const viewer = await open(second, readOnly.url);
      await expect(viewer.page.locator(".picks-counts").textContent()).resolves.toBe("2 picked · 1 rejected");
      await shot(viewer.page, "sofa", 1).locator("button[data-v=pick]").click();
      await expect(viewer.page.locator(".picks-status").textContent()).resolves.toContain("read-only");
      expect(await stored()).toEqual({ picks: expect.any(Array), pick: 2, reject: 1 });

      await first.screenshot(page, "picks-dashboard", false);
      expect(errors).toEqual([]);
      expect(other.errors).toEqual([]);
    } finally {
      await dashboard.close();
      await readOnly.close();
    }
  });
});
