/**
 * One cause, one line: a Windows-1252 manifest read without --encoding is said once — how many
 * rows, the first lines, and that the bytes are Windows-1252 with the flag that reads them —
 * instead of one identical problem per row. Real files, encoded by iconv-lite as Excel on Windows
 * saves them (`;`, CRLF, accented names).
 */
import { writeFile } from "node:fs/promises";
import path from "node:path";
import iconv from "iconv-lite";
import { describe, expect, it } from "vitest";
import { cli } from "../helpers/cli.js";
import { tempDir } from "../helpers/manifests.js";
import { testRedis } from "../helpers/redis.js";

const NAMES = ["Café crème", "Crêpe brûlée", "Müsli-Schüssel", "Tarte à l'œuf", "Piñata señor"];

/** An Excel-style export: `;` separators, CRLF, every prompt with an accented name. */
async function excelExport(rows: number, encoding = "windows-1252", names = NAMES): Promise<string> {
  let text = "id;model;prompt;quality\r\n";
  for (let i = 0; i < rows; i++) {
    const prompt = `Studio photo of ${names[i % names.length]} n°${i}, white background`;
    text += `p-${i};openai/gpt-image-2;${prompt};low\r\n`;
  }
  const file = path.join(await tempDir(), "products.csv");
  await writeFile(file, iconv.encode(text, encoding));
  return file;
}

const encodingLines = (stderr: string) => stderr.split("\n").filter((line) => line.includes("UTF-8"));

describe("a manifest in Windows-1252, read as UTF-8", () => {
  it("is said in one line with the count, the first lines and --encoding windows-1252", async () => {
    const file = await excelExport(640);
    const refused = await cli(["estimate", file], {});
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain(`${file}: 640 of 640 rows invalid (640 problems):`);
    expect(encodingLines(refused.stderr)).toEqual([
      `${file}: bytes that are not valid UTF-8 (shown as \uFFFD) in 640 rows, ` +
        "on lines 2, 3, 4, 5, 6 and 635 more " +
        `(first: prompt on line 2, "Studio photo of Caf\uFFFD cr\uFFFDme n\uFFFD0, white background"). ` +
        "They are valid Windows-1252 (what Excel on Windows saves): " +
        "read the file with --encoding windows-1252, or save it as UTF-8.",
    ]);

    const read = await cli(["estimate", file, "--encoding", "windows-1252", "--format", "json"], {});
    expect(read.code, read.stderr).toBe(0);
    expect(JSON.parse(read.stdout)).toMatchObject({ totals: { rows: 640 }, invalid_rows: 0 });
  });

  it("is said once by run too, which submits nothing", async () => {
    const redis = await testRedis();
    try {
      const file = await excelExport(640);
      const out = path.join(await tempDir(), "out");
      const env = { REDIS_URL: redis.url, RUNFLOW_BATCH_PREFIX: redis.prefix };
      const refused = await cli(["run", file, "--out", out, "--simulate"], env);
      expect(refused.code).toBe(2);
      expect(encodingLines(refused.stderr)).toHaveLength(1);
      expect(encodingLines(refused.stderr)[0]).toContain("in 640 rows, on lines 2, 3, 4, 5, 6 and 635 more");
    } finally {
      await redis.cleanup();
    }
  });

  it("is said once for a file big enough to be parsed in a worker thread (4 MB and more)", async () => {
    const file = await excelExport(60_000);
    const refused = await cli(["estimate", file], {});
    expect(refused.code).toBe(2);
    const lines = encodingLines(refused.stderr);
    expect(lines).toHaveLength(1);
    // The scan keeps the first 1,000 problems (and counts all): the line says so.
    expect(refused.stderr).toContain("60,000 of 60,000 rows invalid (60,000 problems)");
    expect(lines[0]).toContain("in at least 1,000 rows, on lines 2, 3, 4, 5, 6 and more");
    expect(lines[0]).toContain("--encoding windows-1252");
  });

  it("is said once for JSONL, and a file that is not Windows-1252 gets no such guess", async () => {
    const dir = await tempDir();
    const jsonl = path.join(dir, "jobs.jsonl");
    const line = (i: number) =>
      JSON.stringify({ id: `j${i}`, model: "openai/gpt-image-2", prompt: `Crème brûlée ${i}` });
    await writeFile(jsonl, iconv.encode(Array.from({ length: 30 }, (_, i) => line(i)).join("\n"), "latin1"));
    const refused = await cli(["estimate", jsonl], {});
    expect(encodingLines(refused.stderr)).toHaveLength(1);
    expect(encodingLines(refused.stderr)[0]).toContain("in 30 rows, on lines 1, 2, 3, 4, 5 and 25 more");

    const japanese = await excelExport(12, "shift_jis", ["東京の夜景", "抹茶のケーキ"]);
    const unknown = await cli(["estimate", japanese], {});
    expect(unknown.code).toBe(2);
    const said = encodingLines(unknown.stderr);
    expect(said).toHaveLength(1);
    expect(said[0]).toContain("The file is probably in another encoding: name it with --encoding");
  });
});
