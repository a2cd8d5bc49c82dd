/**
 * CSV manifests, streamed with csv-parse: header row (BOM tolerated), CRLF or LF, quoted fields
 * with commas, quotes and newlines, in any encoding (readers/text.ts), separated by `,` `;` or
 * tab as the header shows (or `--delimiter`). Each row carries the line it starts on. A ragged
 * row (more or fewer cells than the header) is a problem of that row, not the end of the file;
 * so is a malformed record (a stray or unclosed quote): reading goes on at the next line, so
 * every other problem is reported too, each with its own line.
 */
import { CsvError } from "csv-parse";
import { describeDelimiter, detectDelimiter } from "../delimiter.js";
import { ManifestError } from "../errors.js";
import type { Undecodable } from "../types.js";
import { checkHeader } from "./csv-header.js";
import {
  emptyCsv,
  malformedRow,
  MAX_MALFORMED_RECORDS,
  raggedRow,
  csvSyntaxError,
  syntaxReason,
  tooManyMalformed,
} from "./csv-problems.js";
import { recordBatches, type RecordSource } from "./csv-records.js";
import {
  closeManifestFile,
  createFingerprint,
  firstLineOf,
  openManifestFile,
  resolveEncoding,
} from "./text.js";
import type { ReadRow, ReaderEvent } from "./types.js";

/** From this size on, csv-parse runs in a worker thread (starting one costs ~30 ms). */
const CSV_WORKER_MIN_BYTES = 4 * 1024 * 1024;

function countOf(text: string, needle: string): number {
  let count = 0;
  for (let at = text.indexOf(needle); at !== -1; at = text.indexOf(needle, at + needle.length)) count++;
  return count;
}

export interface CsvReadOptions {
  /** Parse in a worker thread: by default for UTF-8 files of CSV_WORKER_MIN_BYTES or more. */
  readonly worker?: boolean | undefined;
  /** The field separator; by default detected from the header line. */
  readonly delimiter?: string | undefined;
  /** The text encoding (default UTF-8; a BOM wins). */
  readonly encoding?: string | undefined;
  /** Checks the header and returns the column names (default: checkHeader, our manifest columns). */
  readonly header?: ((file: string, header: readonly string[], delimiter: string) => string[]) | undefined;
}

type CheckHeader = NonNullable<CsvReadOptions["header"]>;

/**
 * Turns csv-parse's records into rows: the header first, then each row with the line it starts
 * on. Empty lines are not skipped by csv-parse: they come through as [""] and are counted here, so
 * line numbers need no help from csv-parse's `info` (which costs an object per record, and counts
 * a CRLF inside a quoted field as two lines).
 */
function createRowBuilder(file: string, delimiter: string, header: CheckHeader) {
  const separator = delimiter === "," ? "a comma" : describeDelimiter(delimiter);
  let columns: string[] | null = null;
  let width = 0;
  /** Every column, blank: rows start as a copy, so they all share one shape. */
  let template: Record<string, undefined> = {};
  /** The line the next record starts on. */
  let line = 1;
  let undecodable: Undecodable | null = null;
  return {
    separator,
    line: () => line,
    skipLine: () => void (line += 1),
    hasHeader: () => columns !== null,
    noteUndecodable: (verdict: Undecodable) => void (undecodable ??= verdict),
    /** Adds the batch's rows to `rows`. */
    add(batch: readonly string[][], rows: ReadRow[]): void {
      for (const record of batch) {
        const start = line;
        line += 1;
        for (let i = 0; i < record.length; i++) {
          const cell = record[i] as string;
          if (cell.length > 0 && cell.includes("\n")) line += countOf(cell, "\n");
        }
        if (record.length === 1 && (record[0] as string).trim() === "") continue; // an empty line
        if (columns === null) {
          columns = header(file, record, delimiter);
          width = columns.length;
          template = Object.fromEntries(
            columns.filter((name) => name !== "").map((name) => [name, undefined]),
          );
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
        if (record.length !== width)
          rows.push(raggedRow(location, fields, record.length, width, delimiter, separator));
        else rows.push(undecodable ? { location, fields, undecodable } : { location, fields });
      }
    },
  };
}

/** Rows of a CSV manifest, in batches, each with the line it starts on. */
export async function* readCsv(
  path: string,
  file: string,
  options: CsvReadOptions = {},
): AsyncGenerator<ReaderEvent> {
  // One open for the pass: the header's separator is read from the file's first bytes.
  const file0 = await openManifestFile(path);
  const encoding = resolveEncoding(file0.head, options.encoding);
  let delimiter: string;
  try {
    delimiter = options.delimiter ?? detectDelimiter(await firstLineOf(file0.head, encoding));
  } catch (error) {
    await closeManifestFile(file0);
    throw error;
  }
  yield { kind: "delimiter", delimiter };
  const inWorker = options.worker ?? (encoding === "utf-8" && file0.size >= CSV_WORKER_MIN_BYTES);
  const fingerprint = createFingerprint(file0.size);
  const rows = createRowBuilder(file, delimiter, options.header ?? checkHeader);

  /** Reading on after a malformed record: its line, why, and its text once skipped. */
  let broken: { line: number; reason: string; text?: string } | null = null;
  let malformed = 0;
  for (;;) {
    let failure: CsvError | null = null;
    const first = malformed === 0;
    const source: RecordSource = {
      ...{ path, file, delimiter, encoding },
      opened: first ? file0 : null,
      fingerprint: first ? fingerprint : null,
      inWorker: inWorker && first,
      skipLines: first ? 0 : rows.line() - 1,
      onSkipped: (text) => {
        if (broken) broken.text = text;
      },
      onUndecodable: rows.noteUndecodable,
    };
    try {
      for await (const batch of recordBatches(source)) {
        const out: ReadRow[] = [];
        if (broken) out.push(malformedRow(file, broken.line, broken.reason, broken.text));
        broken = null;
        rows.add(batch, out);
        if (out.length > 0) yield { kind: "rows", rows: out };
      }
    } catch (error) {
      if (error instanceof ManifestError || !(error instanceof CsvError)) throw error;
      failure = error;
    }
    if (broken) yield { kind: "rows", rows: [malformedRow(file, broken.line, broken.reason, broken.text)] };
    broken = null;
    if (failure === null) break;
    if (!rows.hasHeader()) throw csvSyntaxError(file, failure, rows.line());
    malformed += 1;
    if (malformed > MAX_MALFORMED_RECORDS) throw tooManyMalformed(file, rows.line(), failure, rows.separator);
    // Read on at the next line: the record's own line is the problem, the rest may be fine.
    broken = { line: rows.line(), reason: syntaxReason(failure) };
    rows.skipLine();
  }
  // Read on after a malformed record: the first read stopped early, so there is no fingerprint.
  yield { kind: "fingerprint", sha256: malformed === 0 ? fingerprint.digest() : null };
  if (!rows.hasHeader()) throw emptyCsv(file);
}
