/**
 * CSV manifests, streamed with csv-parse: header row (BOM tolerated), CRLF or LF, quoted fields
 * with commas, quotes and newlines. Each row carries the line it starts on. A ragged row (more
 * or fewer cells than the header) is a problem of that row, not the end of the file.
 */
import { createReadStream } from "node:fs";
import { stat } from "node:fs/promises";
import { CsvError, parse } from "csv-parse";
import { isKnownCsvColumn, KNOWN_COLUMNS, knownColumnsList, METADATA_PREFIX, unknownNameHint } from "../columns.js";
import { ManifestError } from "../errors.js";
import { makeProblem } from "../problems.js";
import { parseCsvInWorker } from "./csv-worker.js";
import { drainInBatches } from "./drain.js";
import type { ReadRow, ReaderEvent } from "./types.js";

function countOf(text: string, needle: string): number {
  let count = 0;
  for (let at = text.indexOf(needle); at !== -1; at = text.indexOf(needle, at + needle.length)) count++;
  return count;
}

/** Checks the header; unknown, duplicate or unnamed columns stop the manifest. Returns column names ("" = ignored). */
export function checkHeader(file: string, header: readonly string[]): string[] {
  const names = header.map((name) => name.trim());
  const errors: string[] = [];
  const seen = new Set<string>();
  names.forEach((name, i) => {
    if (name === "") return;
    if (seen.has(name)) errors.push(`column \`${name}\` appears twice (columns ${names.indexOf(name) + 1} and ${i + 1})`);
    seen.add(name);
    if (!isKnownCsvColumn(name)) {
      errors.push(name === METADATA_PREFIX.slice(0, -1) ? "column `metadata` needs a key: name it `metadata.<key>`, e.g. `metadata.sku`" : unknownNameHint(name, KNOWN_COLUMNS));
    }
  });
  if (errors.length > 0) {
    throw new ManifestError(
      `${file} line 1: ${errors.join("; ")}${/[?.]$/.test(errors.at(-1) ?? "") ? "" : "."} Known columns: ${knownColumnsList()}. Rename or remove the column in the header.`,
      { file, line: 1 },
    );
  }
  return names;
}

function csvSyntaxError(file: string, error: CsvError, line: number): ManifestError {
  const reasons: Record<string, string> = {
    CSV_QUOTE_NOT_CLOSED: "a quoted field that opens on or after this line is never closed; add the closing double quote",
    INVALID_OPENING_QUOTE: 'a double quote appears inside an unquoted field; quote the whole field and double the inner quotes ("say ""hi""")',
    CSV_INVALID_CLOSING_QUOTE: 'a quoted field has text after its closing quote; double the quotes that belong to the text ("")',
    CSV_MAX_RECORD_SIZE: "a row is longer than 1 MiB, usually a quoted field that never closes; check the quotes from this line on",
  };
  const reason = reasons[error.code] ?? `${error.message}; check the quoting on this line`;
  return new ManifestError(`${file} line ${line}: malformed CSV: ${reason}.`, { file, line, cause: error });
}

/** The reader's csv-parse options (bench/estimate.ts measures bare csv-parse with the same). */
/** max_record_size: no job needs a 1 MiB row; anything longer is a wrong file, and must not eat memory. */
export const CSV_PARSE_OPTIONS = { bom: true, relax_column_count: true, max_record_size: 1024 * 1024 } as const;
/** From this size on, csv-parse runs in a worker thread (starting one costs ~30 ms). */
export const CSV_WORKER_MIN_BYTES = 4 * 1024 * 1024;

async function* recordBatches(path: string, inWorker: boolean): AsyncGenerator<string[][]> {
  if (inWorker) {
    yield* parseCsvInWorker(path, CSV_PARSE_OPTIONS);
    return;
  }
  const parser = parse(CSV_PARSE_OPTIONS);
  const source = createReadStream(path, { highWaterMark: 64 * 1024 });
  source.on("error", (error) => parser.destroy(error));
  source.pipe(parser);
  yield* drainInBatches<string[]>(parser);
}

export interface CsvReadOptions {
  /** Parse in a worker thread: by default for files of CSV_WORKER_MIN_BYTES or more. */
  readonly worker?: boolean | undefined;
}

/** Rows of a CSV manifest, in batches, each with the line it starts on. */
export async function* readCsv(path: string, file: string, options: CsvReadOptions = {}): AsyncGenerator<ReaderEvent> {
  // Empty lines are not skipped by csv-parse: they come through as [""] and are counted here, so
  // line numbers need no help from csv-parse's `info` (which costs an object per record, and
  // counts a CRLF inside a quoted field as two lines).
  const inWorker =
    options.worker ??
    (await stat(path).then(
      (info) => info.size >= CSV_WORKER_MIN_BYTES,
      () => false, // the in-thread path reports why the file cannot be read
    ));

  let columns: string[] | null = null;
  let width = 0;
  /** Every column, blank: rows start as a copy, so they all share one shape. */
  let template: Record<string, undefined> = {};
  /** The line the next record starts on. */
  let line = 1;
  try {
    for await (const batch of recordBatches(path, inWorker)) {
      const rows: ReadRow[] = [];
      for (const record of batch) {
        const start = line;
        line += 1;
        for (let i = 0; i < record.length; i++) {
          const cell = record[i] as string;
          if (cell.length > 0 && cell.includes("\n")) line += countOf(cell, "\n");
        }
        if (record.length === 1 && (record[0] as string).trim() === "") continue; // an empty line
        if (columns === null) {
          columns = checkHeader(file, record);
          width = columns.length;
          template = Object.fromEntries(columns.filter((name) => name !== "").map((name) => [name, undefined]));
          continue;
        }
        const location = { file, line: start };
        const fields: Record<string, string | undefined> = { ...template };
        const cells = record.length < width ? record.length : width;
        for (let i = 0; i < cells; i++) {
          const cell = record[i] as string;
          if (cell !== "") {
            const name = columns[i] as string;
            if (name !== "") fields[name] = cell;
          }
        }
        if (record.length !== width) {
          const problem = makeProblem(
            location,
            "row",
            `${width} cells, as in the header`,
            record.length,
            `row has ${record.length} cells but the header has ${width}; quote any field that contains a comma ("a, b") and check for missing or extra commas`,
          );
          rows.push({ location, fields, problem });
        } else {
          rows.push({ location, fields });
        }
      }
      if (rows.length > 0) yield { kind: "rows", rows };
    }
  } catch (error) {
    if (error instanceof ManifestError) throw error;
    if (error instanceof CsvError) throw csvSyntaxError(file, error, line);
    throw error;
  }
  if (columns === null) {
    throw new ManifestError(`${file} is empty: expected a header row such as \`id,model,prompt,quality\` followed by one row per job.`, { file, line: 1 });
  }
}
