/**
 * `picks BATCH`: a batch's picks imported from and exported to picks.csv, checked against the
 * images the batch has, named by the batch's id or its directory.
 */
import { readFile, writeFile } from "node:fs/promises";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { cli } from "../helpers/cli.js";
import { tempDir, writeJsonl } from "../helpers/manifests.js";
import { useTestbed } from "../helpers/testbed.js";

describe("picks BATCH", () => {
  const bed = useTestbed({ latencyMs: 5, seed: 11 });

  async function drafts(): Promise<{ dir: string; out: string; batch: string }> {
    const dir = await tempDir();
    const rows = ["chair", "lamp", "sofa"].map((id) => ({
      id,
      model: "openai/gpt-image-2",
      prompt: `a ${id}`,
      quality: "low",
      num_images: 3,
    }));
    rows.push({ id: "rug", model: "openai/gpt-image-2", prompt: "a rug", quality: "low", num_images: 1 });
    const out = path.join(dir, "drafts");
    const run = await cli(
      ["run", await writeJsonl(dir, rows), "--out", out, "--batch", "drafts", "--poll-interval", "10"],
      bed.env(),
    );
    expect(run.code, run.stderr).toBe(0);
    return { dir, out, batch: "drafts" };
  }

  it("imports a picks file, replacing the batch's picks, and exports it exactly", async () => {
    const { dir, out, batch } = await drafts();
    const first = path.join(dir, "first.csv");
    await writeFile(first, "id,image,pick,note\nsofa,1,pick,\nlamp,3,reject,too dark\n");
    const imported = await cli(["picks", out, "--import", first], bed.env());
    expect(imported.code, imported.stderr).toBe(0);
    expect(imported.stderr).toContain("Batch drafts's picks now are");
    expect(imported.stderr).toContain("1 picked, 1 rejected");

    const review = path.join(dir, "review.csv");
    await writeFile(
      review,
      'note,id,image,pick\r\n"warm, soft",chair,2,pick\r\n,rug,1,pick\r\n,chair,3,reject\r\n',
    );
    expect((await cli(["picks", batch, "--import", review], bed.env())).code).toBe(0);
    const printed = await cli(["picks", batch], bed.env());
    expect(printed.code).toBe(0);
    // The second file replaced the first: sofa and lamp are gone.
    expect(printed.stdout).toBe(
      'id,image,pick,note\nchair,2,pick,"warm, soft"\nchair,3,reject,\nrug,1,pick,\n',
    );

    const merged = path.join(dir, "more.csv");
    await writeFile(merged, "id,image,pick,note\nchair,3,pick,on second thought\nlamp,1,pick,\n");
    expect((await cli(["picks", out, "--import", merged, "--merge"], bed.env())).code).toBe(0);
    const exported = path.join(dir, "picks.csv");
    const written = await cli(["picks", out, "--export", exported], bed.env());
    expect(written.code, written.stderr).toBe(0);
    expect(written.stderr).toContain(`Wrote ${exported}: 4 picked, 0 rejected (batch drafts).`);
    expect(await readFile(exported, "utf8")).toBe(
      "id,image,pick,note\n" +
        'chair,2,pick,"warm, soft"\n' +
        "chair,3,pick,on second thought\n" +
        "lamp,1,pick,\n" +
        "rug,1,pick,\n",
    );
  });

  it("changes nothing when a line is wrong or names an image the batch does not have", async () => {
    const { dir, batch } = await drafts();
    const good = path.join(dir, "good.csv");
    await writeFile(good, "id,image,pick,note\nchair,1,pick,\n");
    expect((await cli(["picks", batch, "--import", good], bed.env())).code).toBe(0);

    const bad = path.join(dir, "bad.csv");
    await writeFile(bad, "id,image,pick,note\nsofa,2,pick,\nlamp,4,pick,\nrug,2,reject,\nstool,1,pick,\n");
    const refused = await cli(["picks", batch, "--import", bad], bed.env());
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain(`${bad} names images batch drafts does not have; nothing was imported:`);
    expect(refused.stderr).toContain('row "lamp" of batch drafts has images 1, 2, 3, not 4');
    expect(refused.stderr).toContain('row "rug" of batch drafts has image 1, not 2');
    expect(refused.stderr).toContain('batch drafts has no finished row "stool"');

    const malformed = path.join(dir, "malformed.csv");
    await writeFile(malformed, "id,image,pick\nsofa,first,pick\n");
    const unreadable = await cli(["picks", batch, "--import", malformed], bed.env());
    expect(unreadable.code).toBe(2);
    expect(unreadable.stderr).toContain('line 2: image must be the image\'s number (1, 2, …), got "first"');
    expect(unreadable.stderr).not.toMatch(/\n\s+at /);

    expect((await cli(["picks", batch], bed.env())).stdout).toBe("id,image,pick,note\nchair,1,pick,\n");
  });

  it("says when the batch is unknown", async () => {
    const result = await cli(["picks", "no-such-batch"], bed.env());
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('no batch "no-such-batch" in Redis');
  });
});
