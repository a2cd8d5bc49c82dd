/**
 * A Windows-1252 Excel export (`;`, CRLF, accented names) gets the same reports as the same file
 * saved as UTF-8: the reports are written from the ledger, never by reading the manifest again
 * with other options than it was read with.
 */
import { createHash } from "node:crypto";
import { readFile, writeFile } from "node:fs/promises";
import path from "node:path";
import iconv from "iconv-lite";
import { describe, expect, it } from "vitest";
import { cli } from "../helpers/cli.js";
import { tempDir } from "../helpers/manifests.js";
import { useTestbed } from "../helpers/testbed.js";

const NAMES = ["Écharpe en laine", "Chaussure de randonnée", "Blouson façon cuir", "Théière émaillée"];

/** An Excel-style sheet: `;` between cells, CRLF line ends, accents, a metadata column. */
function sheet(rows: number): string {
  const lines = ["id;model;prompt;quality;metadata.catégorie"];
  for (let i = 0; i < rows; i++) {
    const name = NAMES[i % NAMES.length]!;
    lines.push(
      `p${i};openai/gpt-image-2;${name} n°${i}, fond blanc;${i % 3 === 0 ? "medium" : "low"};${name}`,
    );
  }
  return lines.join("\r\n") + "\r\n";
}

const read = (dir: string, file: string) => readFile(path.join(dir, file), "utf8");

async function reports(out: string) {
  const lines = (await read(out, "results.jsonl"))
    .trim()
    .split("\n")
    .map((l) => JSON.parse(l) as Record<string, unknown>);
  const report = JSON.parse(await read(out, "cost-report.json")) as Record<string, unknown>;
  const html = await read(out, "report.html");
  return {
    lines: lines.map(({ id, status, images, cost_usd, prompt, metadata }) => ({
      id,
      status,
      images: (images as string[]).length,
      cost_usd,
      prompt,
      metadata,
    })),
    csvRows: (await read(out, "results.csv")).trim().split("\n").length - 1,
    totals: report.totals,
    byTier: report.by_tier,
    cards: html.match(/<article/g)?.length ?? 0,
  };
}

describe("an Excel export in Windows-1252", () => {
  const bed = useTestbed({ latencyMs: { min: 5, max: 20 }, seed: 3 });

  it("reports exactly like the same file saved as UTF-8", async () => {
    const dir = await tempDir();
    const cp1252 = path.join(dir, "products.csv");
    const utf8 = path.join(dir, "products-utf8.csv");
    await writeFile(cp1252, iconv.encode(sheet(40), "windows-1252"));
    await writeFile(utf8, sheet(40));

    const excel = await cli(
      ["run", cp1252, "--encoding", "windows-1252", "--out", path.join(dir, "a"), "--poll-interval", "10"],
      bed.env(),
    );
    expect(excel.code, excel.stderr).toBe(0);
    const plain = await cli(["run", utf8, "--out", path.join(dir, "b"), "--poll-interval", "10"], bed.env());
    expect(plain.code, plain.stderr).toBe(0);

    const a = await reports(path.join(dir, "a"));
    const b = await reports(path.join(dir, "b"));
    expect(a.lines).toHaveLength(40);
    expect(a.csvRows).toBe(40);
    expect(a.lines[0]).toMatchObject({
      status: "succeeded",
      prompt: "Écharpe en laine n°0, fond blanc",
      metadata: { catégorie: "Écharpe en laine" },
    });
    expect(a).toEqual(b);
    // results.csv follows the Excel file: `;` between cells and a byte order mark for its accents.
    const csv = await read(path.join(dir, "a"), "results.csv");
    expect(csv.startsWith("\uFEFFid;model;quality;status;")).toBe(true);
    expect(csv).toContain(";Écharpe en laine n°0, fond blanc;");

    // `report BATCH` rewrites the same reports from the ledger.
    const batch = JSON.parse(await read(path.join(dir, "a"), ".runflow-batch.json")) as { batch: string };
    // The one pass over the file also took its fingerprint and its separator, and the batch keeps them.
    const record = await bed.store().get(batch.batch);
    expect(record?.submission.manifest).toMatchObject({
      delimiter: ";",
      encoding: "windows-1252",
      sha256: createHash("sha256")
        .update(await readFile(cp1252))
        .digest("hex"),
    });
    expect((await cli(["report", batch.batch], bed.env())).code).toBe(0);
    expect(await reports(path.join(dir, "a"))).toEqual(b);
  });
});
