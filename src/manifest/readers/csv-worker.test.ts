/**
 * The worker-thread CSV path must read exactly what the in-thread path reads: the same rows,
 * cells and line numbers (BOM, CRLF, quoted newlines, empty lines, ragged rows, many batches),
 * the same errors, and it must stop its thread when the reader stops early.
 */
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Worker } from "node:worker_threads";
import { afterAll, describe, expect, it, vi } from "vitest";
import { ManifestError } from "../errors.js";
import { readCsv } from "./csv.js";
import type { ReaderEvent } from "./types.js";

const dir = mkdtempSync(join(tmpdir(), "csv-worker-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function write(name: string, content: string | Buffer): string {
  const path = join(dir, name);
  writeFileSync(path, content);
  return path;
}

async function read(path: string, worker: boolean): Promise<{ events: ReaderEvent[]; error: unknown }> {
  const events: ReaderEvent[] = [];
  try {
    for await (const event of readCsv(path, "m.csv", { worker })) events.push(event);
    return { events, error: null };
  } catch (error) {
    return { events, error };
  }
}

function rowsOf(events: readonly ReaderEvent[]) {
  return events.flatMap((event) => (event.kind === "rows" ? event.rows : []));
}

/** A manifest with every awkward thing, long enough for many batches. */
function awkwardCsv(rows: number, eol: string): string {
  let text = `\uFEFFid,model,prompt,quality,metadata.sku${eol}${eol}`;
  for (let i = 0; i < rows; i++) {
    if (i % 7 === 0) text += `a${i},openai/gpt-image-2,"two${eol}lines, with ""quotes""",low,S${i}${eol}`;
    else if (i % 11 === 0) text += `a${i},openai/gpt-image-2,ragged${eol}`;
    else if (i % 13 === 0) text += eol;
    else text += `a${i},runflow/tag-removal,,,S${i}${eol}`;
  }
  return text;
}

describe("CSV parsed in a worker thread", () => {
  for (const [name, eol] of [
    ["LF", "\n"],
    ["CRLF", "\r\n"],
  ] as const) {
    it(`reads the same rows, cells and lines as the in-thread path (${name}, BOM, quoted newlines, empty and ragged rows, 5,000 rows)`, async () => {
      const path = write(`awkward-${name}.csv`, awkwardCsv(5_000, eol));
      const inThread = await read(path, false);
      const inWorker = await read(path, true);
      expect(inThread.error).toBeNull();
      expect(inWorker.error).toBeNull();
      expect(rowsOf(inWorker.events)).toEqual(rowsOf(inThread.events));
      const rows = rowsOf(inWorker.events);
      expect(rows.length).toBeGreaterThan(4_000);
      expect(rows[0]?.location).toEqual({ file: "m.csv", line: 3 });
      expect(rows[0]?.fields.prompt).toBe(`two${eol}lines, with "quotes"`);
      expect(rows[1]?.location).toEqual({ file: "m.csv", line: 5 });
    });
  }

  it("reports a malformed record at the same line as the in-thread path, and reads on the same way", async () => {
    const body = Array.from({ length: 3_000 }, (_, i) => `a${i},openai/gpt-image-2,p,low\n`).join("");
    const path = write(
      "broken.csv",
      `id,model,prompt,quality\n${body}a,openai/gpt-image-2,"never closed,low\nb,c,d,e\n`,
    );
    const inThread = await read(path, false);
    const inWorker = await read(path, true);
    expect(inWorker.error).toBeNull();
    expect(inThread.error).toBeNull();
    expect(rowsOf(inWorker.events)).toEqual(rowsOf(inThread.events));
    const rows = rowsOf(inWorker.events);
    expect(rows).toHaveLength(3_002);
    expect(rows[3_000]?.problem?.message).toMatch(/^m\.csv line 3002: malformed CSV: a quoted field/);
    expect(rows[3_001]).toEqual({
      location: { file: "m.csv", line: 3003 },
      fields: { id: "b", model: "c", prompt: "d", quality: "e" },
    });
  });

  it("fails with the same message as the in-thread path when the header itself is malformed", async () => {
    const path = write("bad-header.csv", `id,"model,prompt\na,b,c\n`);
    const inThread = await read(path, false);
    const inWorker = await read(path, true);
    expect(inWorker.error).toBeInstanceOf(ManifestError);
    expect((inWorker.error as Error).message).toBe((inThread.error as Error).message);
    expect((inWorker.error as Error).message).toMatch(/^m\.csv line 1: malformed CSV: a quoted field/);
  });

  it("reports an unreadable file with the same error code", async () => {
    const missing = join(dir, "missing.csv");
    const inThread = await read(missing, false);
    const inWorker = await read(missing, true);
    expect((inWorker.error as NodeJS.ErrnoException).code).toBe("ENOENT");
    expect((inThread.error as NodeJS.ErrnoException).code).toBe("ENOENT");
  });

  it("stops its thread when the reader stops early", async () => {
    const path = write("long.csv", awkwardCsv(20_000, "\n"));
    const terminate = vi.spyOn(Worker.prototype, "terminate");
    try {
      for await (const event of readCsv(path, "m.csv", { worker: true })) {
        if (event.kind === "delimiter") continue; // said first, before any row
        expect(event.kind).toBe("rows");
        break;
      }
      expect(terminate).toHaveBeenCalledTimes(1);
      await expect(terminate.mock.results[0]?.value).resolves.toBeTypeOf("number");
    } finally {
      terminate.mockRestore();
    }
  });
});
