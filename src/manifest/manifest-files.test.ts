/**
 * Manifests as people really have them, read from real files: an Excel export with `;`
 * separators, a BOM and CRLF; a Windows-1252 file with accented prompts; a UTF-16 file with a
 * BOM; values in any case; broken rows among good ones; local image paths; JSON problems.
 */
import path from "node:path";
import { writeFile } from "node:fs/promises";
import { describe, expect, it } from "vitest";
import { streamManifest, type JobRow, type StreamOptions } from "./index.js";
import { cli, ROOT } from "../../test/helpers/cli.js";
import { tempDir } from "../../test/helpers/manifests.js";

const fixture = (name: string) => path.join(ROOT, "test/input/fixtures", name);

async function jobRows(file: string, options: StreamOptions = {}): Promise<JobRow[]> {
  const rows: JobRow[] = [];
  for await (const item of streamManifest(file, options)) {
    if (!item.ok) throw new Error(item.problems.map((p) => p.message).join("\n"));
    rows.push(item.row);
  }
  return rows;
}

async function written(name: string, content: string | Buffer): Promise<string> {
  const file = path.join(await tempDir(), name);
  await writeFile(file, content);
  return file;
}

const estimate = (args: string[]) => cli(["estimate", ...args], {});

describe("an Excel export: `;` separators, a BOM, CRLF", () => {
  it("reads every row and cell, says the separator, and prices it", async () => {
    const file = fixture("excel-semicolon.csv");
    const rows = await jobRows(file);
    expect(rows.map((row) => [row.key, row.quality, row.images])).toEqual([
      ["chaussure-01", "high", 1],
      ["chaussure-02", "medium", 2],
      ["echarpe-01", "low", 1],
      ["iso-01", null, 1],
    ]);
    expect(rows[1]?.input.prompt).toBe("Botte en daim; lumière du matin");
    expect(rows[3]?.input).toEqual({
      image_url: "https://cdn.example.com/raw/sac.jpg",
      aspect_ratio: "1:1",
      resolution: "4K",
    });

    const result = await estimate([file, "--format", "json"]);
    expect(result.code).toBe(0);
    expect(result.stderr).toBe(
      `${file}: columns are separated by \`;\` (read from the header; --delimiter sets it).\n`,
    );
    const json = JSON.parse(result.stdout) as { totals: { rows: number; estimated_usd: string } };
    expect(json.totals.rows).toBe(4);
    expect(json.totals.estimated_usd).toBe("0.480"); // 0.133 + 2 × 0.034 + 0.009 + 0.27
  });

  it("with the wrong --delimiter, says what the header looks like and how to fix it", async () => {
    const result = await estimate([fixture("excel-semicolon.csv"), "--delimiter", ","]);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain(
      "line 1: unknown column `id;model;prompt;quality;num_images;resolution;aspect_ratio;image_url`",
    );
    expect(result.stderr).toContain("The header looks separated by `;`, not `,`: pass --delimiter ';'.");
  });

  it("takes --delimiter tab for a sheet pasted as text, and refuses a delimiter that cannot be one", async () => {
    const file = await written(
      "pasted.txt",
      "id\tmodel\tprompt\tquality\r\nt1\topenai/gpt-image-2\tRed, green, blue\tlow\r\n",
    );
    const result = await estimate([file, "--input-format", "csv", "--delimiter", "tab", "--format", "json"]);
    expect(result.code).toBe(0);
    expect((JSON.parse(result.stdout) as { totals: { rows: number } }).totals.rows).toBe(1);
    expect(result.stderr).toBe(""); // said only when detected
    const bad = await estimate([file, "--input-format", "csv", "--delimiter", "ab"]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('--delimiter must be one character such as ";" or "|", or tab, got "ab"');
  });
});

describe("other encodings", () => {
  it("a Windows-1252 file is refused as UTF-8 with a message naming --encoding, and read right with it", async () => {
    const file = fixture("windows-1252.csv");
    const refused = await estimate([file]);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain(
      `${file}: bytes that are not valid UTF-8 (shown as \uFFFD) in 3 rows, on lines 2, 3, 4 (first: prompt on ` +
        'line 2, "Tasse de caf\uFFFD cr\uFFFDme, d\uFFFDcor \uFFFDl\uFFFDgant"). They are valid Windows-1252 (what ' +
        "Excel on Windows saves): read the file with --encoding windows-1252, or save it as UTF-8.",
    );
    const rows = await jobRows(file, { encoding: "windows-1252" });
    expect(rows.map((row) => row.input.prompt)).toEqual([
      "Tasse de café crème, décor élégant",
      "Crème brûlée façon grand-mère",
      "Décoration de Noël – étoile dorée",
    ]);
    const priced = await estimate([file, "--encoding", "windows-1252", "--format", "json"]);
    expect(priced.code).toBe(0);
    expect((JSON.parse(priced.stdout) as { totals: { estimated_usd: string } }).totals.estimated_usd).toBe(
      "0.176",
    );
    expect((await jobRows(file, { encoding: "latin1" }))[0]?.input.prompt).toBe(
      "Tasse de café crème, décor élégant",
    );
  });

  it("a UTF-16 file is read from its BOM without a flag; an unknown encoding is refused by name", async () => {
    const rows = await jobRows(fixture("utf-16le-bom.csv"));
    expect(rows.map((row) => [row.key, row.input.prompt])).toEqual([["tee-01", "T-shirt « été » blanc"]]);
    const result = await estimate([fixture("windows-1252.csv"), "--encoding", "klingon"]);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain(
      'unknown --encoding "klingon"; use one such as utf-8, windows-1252, latin1, utf-16le',
    );
  });
});

describe("values as people write them", () => {
  it("HIGH, High and 4k are the values they mean, sent in Runflow's spelling", async () => {
    const file = await written(
      "case.csv",
      "id,model,prompt,quality,image_url,aspect_ratio,resolution\n" +
        "a,openai/gpt-image-2,p,HIGH,,,\nb,OpenAI/GPT-Image-2,p,High,,,\n" +
        "c,runflow/product-isolation,,,https://example.com/a.png,4:5,4k\n",
    );
    const rows = await jobRows(file);
    expect(rows.map((row) => [row.model, row.quality, row.input.quality ?? row.input.resolution])).toEqual([
      ["openai/gpt-image-2", "high", "high"],
      ["openai/gpt-image-2", "high", "high"],
      ["runflow/product-isolation", null, "4K"],
    ]);
  });

  it("lists the allowed values of a missing or unknown one; a local image path must be uploaded", async () => {
    const file = await written(
      "iso.csv",
      "id,model,image_url,aspect_ratio,resolution\n" +
        "a,runflow/product-isolation,https://example.com/a.png,,\n" +
        "b,runflow/product-isolation,./raw/boot.jpg,1:1,8K\n",
    );
    const result = await estimate([file]);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain(
      `${file} line 2: aspect_ratio is required by runflow/product-isolation but is missing; ` +
        `give one of 1:1, 2:3, 3:2, 3:4, 4:3, 4:5, 5:4, 9:16, 16:9, 21:9`,
    );
    expect(result.stderr).toContain(
      `${file} line 2: resolution is required by runflow/product-isolation but is missing; give one of 1K, 2K, 4K`,
    );
    expect(result.stderr).toContain(
      `${file} line 3: image_url is a local file; Runflow fetches images by URL: ` +
        `upload it (e.g. to your CDN or a bucket) and give its https URL (got "./raw/boot.jpg")`,
    );
    expect(result.stderr).toContain(`${file} line 3: resolution must be one of 1K, 2K, 4K, got "8K"`);
  });
});

describe("every problem, also after a malformed record", () => {
  it("CSV: an unclosed and a stray quote are reported with their lines, as is every other problem", async () => {
    const file = await written(
      "broken.csv",
      'id,model,prompt,quality\na1,openai/gpt-image-2,"never closed,low\na2,openai/gpt-image-2,ok,ultra\n' +
        'a3,openai/gpt-image-2,say "hi",low\na4,openai/gpt-image-2,fine,low\na5,openai/gpt-image-2,,low\n',
    );
    const result = await estimate([file, "--format", "json"]);
    expect(result.code).toBe(2);
    const json = JSON.parse(result.stdout) as {
      problems: { line: number; field: string; message: string }[];
      rows: number;
      invalid_rows: number;
    };
    expect(json.problems.map((problem) => [problem.line, problem.field])).toEqual([
      [2, "row"],
      [3, "quality"],
      [4, "row"],
      [6, "prompt"],
    ]);
    expect(json.rows).toBe(5);
    expect(json.invalid_rows).toBe(4);
  });

  it("JSONL: every bad line is reported with its own line number", async () => {
    const good = JSON.stringify({ id: "g", model: "openai/gpt-image-2", prompt: "p" });
    const file = await written(
      "broken.jsonl",
      `${good}\n{"id": "x", \n${JSON.stringify({ id: "q", model: "openai/gpt-image-2", prompt: "p", quality: "best" })}` +
        `\n{oops}\n`,
    );
    const result = await estimate([file]);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/broken\.jsonl line 2: not valid JSON/);
    expect(result.stderr).toContain(
      'broken.jsonl line 3: quality must be one of low, medium, high, got "best"',
    );
    expect(result.stderr).toMatch(/broken\.jsonl line 4: not valid JSON/);
  });
});

describe("estimate --format json on an invalid manifest", () => {
  it("prints the problems with file, line, field, expected, found and message on stdout, exit 2", async () => {
    const file = await written(
      "bad.csv",
      "id,model,prompt,quality\na,openai/gpt-image-2,p,ultra\nb,openai/gpt-image-2,p,low\n",
    );
    const result = await estimate([file, "--format", "json"]);
    expect(result.code).toBe(2);
    expect(JSON.parse(result.stdout)).toEqual({
      problems: [
        {
          file,
          line: 2,
          field: "quality",
          expected: "one of low, medium, high",
          found: "ultra",
          message: `${file} line 2: quality must be one of low, medium, high, got "ultra"`,
        },
      ],
      rows: 2,
      invalid_rows: 1,
      problem_count: 1,
    });
    expect(result.stderr).toContain("1 of 2 rows invalid");
  });

  it("a manifest that cannot be read at all is one problem, with index rows for JSON", async () => {
    const header = await estimate([await written("typo.csv", "id,model,promt\n"), "--format", "json"]);
    expect(header.code).toBe(2);
    const json = JSON.parse(header.stdout) as {
      problems: { line: number; field: string; found: string; message: string }[];
      rows: number;
    };
    expect(json.rows).toBe(0);
    expect(json.problems).toHaveLength(1);
    expect(json.problems[0]).toMatchObject({ line: 1, field: "header", found: "id,model,promt" });
    expect(json.problems[0]?.message).toContain("unknown column `promt` — did you mean `prompt`?");

    const array = await written(
      "jobs.json",
      '[{"id": "a", "model": "openai/gpt-image-2"}, ' +
        '{"id": "b", "model": "openai/gpt-image-2", "prompt": "p"},\n  {"id": ',
    );
    const truncated = await estimate([array, "--format", "json"]);
    expect(truncated.code).toBe(2);
    const stopped = JSON.parse(truncated.stdout) as {
      problems: { index?: number; line?: number; field: string }[];
      rows: number;
      invalid_rows: number;
    };
    expect(stopped.problems.map((problem) => [problem.index ?? problem.line, problem.field])).toEqual([
      [0, "prompt"],
      [2, "syntax"],
    ]);
    expect(stopped.rows).toBe(2);
    expect(stopped.invalid_rows).toBe(1);
    expect(truncated.stderr).toContain("Before that, 1 of 2 rows were invalid (1 problem):");
  });
});
