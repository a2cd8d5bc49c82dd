import { afterAll, describe, expect, it } from "vitest";
import { ManifestError } from "../index.js";
import { collect, messages, rows, tempFiles } from "../../../test/helpers/manifest-files.js";

const files = tempFiles();
afterAll(() => files.cleanup());

const HEADER = "id,model,prompt,quality";
const escape = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");

describe("CSV manifests", () => {
  it("reads quoted fields with commas, doubled quotes and newlines, and keeps their text", async () => {
    const path = files.write(
      "quotes.csv",
      `${HEADER}\na1,openai/gpt-image-2,"red, green and ""blue"" shoes",low\n` +
        `a2,openai/gpt-image-2,"line one\nline two",high\n`,
    );
    const [first, second] = rows(await collect(path));
    expect(first?.input.prompt).toBe('red, green and "blue" shoes');
    expect(second?.input.prompt).toBe("line one\nline two");
    expect(second?.location).toEqual({ file: path, line: 3 });
  });

  it("reports the line a row starts on, after rows spanning several lines (LF)", async () => {
    const path = files.write(
      "lines.csv",
      `${HEADER}\na1,openai/gpt-image-2,"one\ntwo\nthree",low\n\na2,openai/gpt-image-2,ok,ultra\n`,
    );
    const items = await collect(path);
    expect(items[0]?.ok && items[0].row.location).toEqual({ file: path, line: 2 });
    expect(messages(items)).toEqual([
      `${path} line 6: quality must be one of low, medium, high, got "ultra"`,
    ]);
  });

  it("reports correct lines with CRLF line ends, also inside quoted fields", async () => {
    const path = files.write(
      "crlf.csv",
      `${HEADER}\r\na1,openai/gpt-image-2,"one\r\ntwo",low\r\n` +
        `\r\na2,openai/gpt-image-2,"x\r\ny\r\nz",high\r\na3,openai/gpt-image-2,p,ultra\r\n`,
    );
    const items = await collect(path);
    expect(items.map((item) => (item.ok ? item.row.location : item.location))).toEqual([
      { file: path, line: 2 },
      { file: path, line: 5 },
      { file: path, line: 8 },
    ]);
    expect(items[0]?.ok && items[0].row.quality).toBe("low");
    expect(messages(items)[0]).toMatch(/line 8: quality must be/);
  });

  it("ignores a UTF-8 byte order mark before the header", async () => {
    const path = files.write(
      "bom.csv",
      Buffer.concat([
        Buffer.from([0xef, 0xbb, 0xbf]),
        Buffer.from(`${HEADER}\na1,openai/gpt-image-2,p,low\n`),
      ]),
    );
    const items = await collect(path);
    expect(rows(items).map((row) => row.key)).toEqual(["a1"]);
  });

  it("skips empty lines, including leading ones and the last one, and counts them", async () => {
    const path = files.write("empty.csv", `\n\n${HEADER}\n\na1,openai/gpt-image-2,p,low\n\n\n`);
    const items = await collect(path);
    expect(items).toHaveLength(1);
    expect(items[0]?.ok && items[0].row.location.file === path && items[0].row.location).toEqual({
      file: path,
      line: 5,
    });
  });

  it("reads a last row without a trailing newline", async () => {
    const path = files.write("noeol.csv", `${HEADER}\na1,openai/gpt-image-2,p,low`);
    expect(rows(await collect(path))).toHaveLength(1);
  });

  it("reports ragged rows (too few or too many cells) as problems of those rows, and reads on", async () => {
    const path = files.write(
      "ragged.csv",
      `${HEADER}\na1,openai/gpt-image-2,red, green,low\na2,openai/gpt-image-2\na3,openai/gpt-image-2,fine,low\n`,
    );
    const items = await collect(path);
    expect(messages(items)).toEqual([
      `${path} line 2: row has 5 cells but the header has 4; ` +
        `quote any field that contains a comma ("a, b") and check for missing or extra commas`,
      `${path} line 3: row has 2 cells but the header has 4; ` +
        `quote any field that contains a comma ("a, b") and check for missing or extra commas`,
    ]);
    expect(rows(items).map((row) => row.key)).toEqual(["a3"]);
  });

  it("reports an unclosed quote at the line where the field opens, and reads on from the next line", async () => {
    const path = files.write(
      "unclosed.csv",
      `${HEADER}\na1,openai/gpt-image-2,p,low\na2,openai/gpt-image-2,"never closed,low\n` +
        `a3,openai/gpt-image-2,p,ultra\na4,openai/gpt-image-2,p,low\n`,
    );
    const items = await collect(path);
    expect(messages(items)).toEqual([
      `${path} line 3: malformed CSV: a quoted field that opens on or after this line is never closed; ` +
        `add the closing double quote`,
      `${path} line 4: quality must be one of low, medium, high, got "ultra"`,
    ]);
    expect(items[1]?.ok === false && items[1].problems[0]?.found).toBe(
      '"a2,openai/gpt-image-2,\\"never closed,low"',
    );
    expect(rows(items).map((row) => [row.key, row.location])).toEqual([
      ["a1", { file: path, line: 2 }],
      ["a4", { file: path, line: 5 }],
    ]);
  });

  it("reports every stray quote with its own line, CRLF too", async () => {
    const path = files.write(
      "stray.csv",
      `${HEADER}\r\na1,openai/gpt-image-2,p,low\r\na2,openai/gpt-image-2,say "hi",low\r\n` +
        `a3,openai/gpt-image-2,"x"y,low\r\na4,openai/gpt-image-2,"two\r\nlines",low\r\n`,
    );
    const items = await collect(path);
    expect(messages(items)).toEqual([
      `${path} line 3: malformed CSV: a double quote appears inside an unquoted field; ` +
        `quote the whole field and double the inner quotes ("say ""hi""")`,
      `${path} line 4: malformed CSV: a quoted field has text after its closing quote; ` +
        `double the quotes that belong to the text ("")`,
    ]);
    expect(
      rows(items).map((row) => [
        row.key,
        row.location.file === path && "line" in row.location && row.location.line,
      ]),
    ).toEqual([
      ["a1", 2],
      ["a4", 5],
    ]);
  });

  it("stops with one error after too many malformed records, listing what it found before", async () => {
    const bad = Array.from({ length: 101 }, (_, i) => `b${i},openai/gpt-image-2,say "hi",low\n`).join("");
    const path = files.write("garbage.csv", `${HEADER}\na1,openai/gpt-image-2,p,ultra\n${bad}`);
    const error = (await collect(path).catch((e: unknown) => e)) as ManifestError;
    expect(error).toBeInstanceOf(ManifestError);
    expect(error.message).toMatch(
      new RegExp(
        `^${escape(path)} line 103: malformed CSV again \\(100 malformed records before this one\\)`,
      ),
    );
    expect(error.message).toContain("Before that, 101 of 101 rows were invalid (101 problems):");
    expect(error.message).toContain(`${path} line 2: quality must be one of low, medium, high, got "ultra"`);
    expect(error.earlier.problemCount).toBe(101);
    expect(error.line).toBe(103);
  });

  it("stops at a malformed header, which no row can do without", async () => {
    const path = files.write("header.csv", `id,"model,prompt\na,b,c\n`);
    await expect(collect(path)).rejects.toThrow(
      `${path} line 1: malformed CSV: a quoted field that opens on or after this line is never closed`,
    );
  });

  it("rejects unknown columns in the header, suggesting the nearest known name", async () => {
    const path = files.write("typo.csv", "id,model,prompt,qualty,colour\na1,openai/gpt-image-2,p,low,red\n");
    const error = (await collect(path).catch((e: unknown) => e)) as ManifestError;
    expect(error).toBeInstanceOf(ManifestError);
    expect(error.message).toContain(
      `${path} line 1: unknown column \`qualty\` — did you mean \`quality\`?; unknown column \`colour\``,
    );
    expect(error.message).toContain("Known columns: id, model, prompt");
    expect(error.line).toBe(1);
  });

  it("rejects a duplicated column and a bare `metadata` column", async () => {
    await expect(collect(files.write("dup.csv", "id,prompt,prompt\n"))).rejects.toThrow(
      "column `prompt` appears twice (columns 2 and 3)",
    );
    await expect(collect(files.write("meta.csv", "id,metadata\n"))).rejects.toThrow(
      "column `metadata` needs a key: name it `metadata.<key>`",
    );
  });

  it("rejects an empty file", async () => {
    await expect(collect(files.write("nothing.csv", ""))).rejects.toThrow(/is empty: expected a header row/);
    await expect(collect(files.write("blank.csv", "\n\n"))).rejects.toThrow(/is empty/);
  });

  it("takes metadata.<key> columns as metadata, leaving empty cells out", async () => {
    const path = files.write(
      "meta-ok.csv",
      "id,model,prompt,metadata.sku,metadata.team\na1,openai/gpt-image-2,p,SKU-1,\na2,openai/gpt-image-2,p,,\n",
    );
    const [a1, a2] = rows(await collect(path));
    expect(a1?.metadata).toEqual({ sku: "SKU-1" });
    expect(a2?.metadata).toBeNull();
  });

  it("ignores an unnamed trailing column when its cells are empty", async () => {
    const path = files.write("trailing.csv", "id,model,prompt,\na1,openai/gpt-image-2,p,\n");
    expect(rows(await collect(path)).map((row) => row.key)).toEqual(["a1"]);
  });
});

describe("opening manifests", () => {
  it("names a missing file and says what to check", async () => {
    const error = (await collect(`${files.dir}/missing.csv`).catch((e: unknown) => e)) as ManifestError;
    expect(error).toBeInstanceOf(ManifestError);
    expect(error.message).toBe(
      `${files.dir}/missing.csv: no such file; check the path (it is relative to the current directory).`,
    );
  });

  it("refuses a directory and an unknown extension (unless the format is given)", async () => {
    await expect(collect(files.dir.concat("/"), { format: "csv" })).rejects.toThrow("is a directory");
    const path = files.write("jobs.txt", `${HEADER}\na1,openai/gpt-image-2,p,low\n`);
    await expect(collect(path)).rejects.toThrow(
      'cannot tell the manifest format from the extension ".txt"; ' +
        "name the file .csv, .json or .jsonl, or pass --input-format csv|json|jsonl.",
    );
    expect(rows(await collect(path, { format: "csv" }))).toHaveLength(1);
  });
});
