/**
 * CSV manifests, streamed with csv-parse: header row (BOM tolerated), CRLF or LF, quoted fields
 * with commas, quotes and newlines, in any encoding (readers/text.ts), separated by `,` `;` or
 * tab as the header shows (or `--delimiter`). Each row carries the line it starts on. A ragged
 * row (more or fewer cells than the header) is a problem of that row, not the end of the file;
 * so is a malformed record (a stray or unclosed quote): reading goes on at the next line, so
 * every other problem is reported too, each with its own line.
 */
import { CsvError, parse } from "csv-parse";
import {
  isKnownCsvColumn,
  KNOWN_COLUMNS,
  knownColumnsList,
  METADATA_PREFIX,
  unknownNameHint,
} from "../columns.js";
import { describeDelimiter, detectDelimiter } from "../delimiter.js";
import { ManifestError } from "../errors.js";
import { makeProblem } from "../problems.js";
import { parseCsvInWorker } from "./csv-worker.js";
import { drainInBatches } from "./drain.js";
import {
  closeManifestFile,
  createFingerprint,
  firstLineOf,
  openManifestFile,
  openManifestText,
  resolveEncoding,
  type Fingerprint,
  type ManifestFile,
} from "./text.js";
import type { ReadRow, ReaderEvent } from "./types.js";
import type { Undecodable } from "../types.js";

function countOf(text: string, needle: string): number {
  let count = 0;
  for (let at = text.indexOf(needle); at !== -1; at = text.indexOf(needle, at + needle.length)) count++;
  return count;
}

/** "the header looks separated by `;`" when a column name holds another likely separator. */
function separatorHint(names: readonly string[], delimiter: string): string {
  for (const other of [";", "\t", ","]) {
    if (other !== delimiter && names.some((name) => name.includes(other))) {
      const flag = other === "\t" ? "tab" : `'${other}'`;
      return ` The header looks separated by ${describeDelimiter(other)}, not ${describeDelimiter(delimiter)}: pass --delimiter ${flag}.`;
    }
  }
  return "";
}

/** Checks the header; unknown, duplicate or unnamed columns stop the manifest. Returns column names ("" = ignored). */
function checkHeader(file: string, header: readonly string[], delimiter = ","): string[] {
  const names = header.map((name) => name.trim());
  const errors: string[] = [];
  const seen = new Set<string>();
  names.forEach((name, i) => {
    if (name === "") return;
    if (seen.has(name))
      errors.push(`column \`${name}\` appears twice (columns ${names.indexOf(name) + 1} and ${i + 1})`);
    seen.add(name);
    if (!isKnownCsvColumn(name)) {
      errors.push(
        name === METADATA_PREFIX.slice(0, -1)
          ? "column `metadata` needs a key: name it `metadata.<key>`, e.g. `metadata.sku`"
          : unknownNameHint(name, KNOWN_COLUMNS),
      );
    }
  });
  if (errors.length > 0) {
    const end = /[?.]$/.test(errors.at(-1) ?? "") ? "" : ".";
    throw new ManifestError(
      `${file} line 1: ${errors.join("; ")}${end}${separatorHint(names, delimiter)} Known columns: ${knownColumnsList()}. ` +
        "Rename or remove the column in the header.",
      { file, line: 1, field: "header", expected: "known column names", found: header.join(delimiter) },
    );
  }
  return names;
}

const SYNTAX_REASONS: Readonly<Record<string, string>> = {
  CSV_QUOTE_NOT_CLOSED:
    "a quoted field that opens on or after this line is never closed; add the closing double quote",
  INVALID_OPENING_QUOTE:
    'a double quote appears inside an unquoted field; quote the whole field and double the inner quotes ("say ""hi""")',
  CSV_INVALID_CLOSING_QUOTE:
    'a quoted field has text after its closing quote; double the quotes that belong to the text ("")',
  CSV_MAX_RECORD_SIZE:
    "a row is longer than 1 MiB, usually a quoted field that never closes; check the quotes from this line on",
};

function syntaxReason(error: CsvError): string {
  return SYNTAX_REASONS[error.code] ?? `${error.message}; check the quoting on this line`;
}

function csvSyntaxError(file: string, error: CsvError, line: number): ManifestError {
  return new ManifestError(`${file} line ${line}: malformed CSV: ${syntaxReason(error)}.`, {
    file,
    line,
    field: "row",
    expected: "a well-formed CSV record",
    cause: error,
  });
}

/** The reader's csv-parse options (bench/estimate.ts measures bare csv-parse with the same). */
/** max_record_size: no job needs a 1 MiB row; anything longer is a wrong file, and must not eat memory. */
export const CSV_PARSE_OPTIONS = {
  bom: true,
  relax_column_count: true,
  max_record_size: 1024 * 1024,
} as const;
/** From this size on, csv-parse runs in a worker thread (starting one costs ~30 ms). */
const CSV_WORKER_MIN_BYTES = 4 * 1024 * 1024;
/** After this many malformed records the file is taken for something else than CSV. */
const MAX_MALFORMED_RECORDS = 100;

interface RecordSource {
  readonly path: string;
  /** The file opened for this pass, read from its start (the first read); null: open it again by path. */
  readonly opened: ManifestFile | null;
  /** Told every byte of the first read (the fingerprint). */
  readonly fingerprint: Fingerprint | null;
  readonly file: string;
  readonly delimiter: string;
  readonly encoding: string;
  readonly inWorker: boolean;
  /** Lines to skip before parsing (reading on after a malformed record). */
  readonly skipLines: number;
  readonly onSkipped: (line: string) => void;
  /** Told, before the records holding them, that bytes which are not UTF-8 went by. */
  readonly onUndecodable: (verdict: Undecodable) => void;
}

async function* recordBatches(source: RecordSource): AsyncGenerator<string[][]> {
  const options = { ...CSV_PARSE_OPTIONS, delimiter: source.delimiter };
  if (source.inWorker && source.opened) {
    yield* parseCsvInWorker(source.opened.fd, options, {
      onUndecodable: source.onUndecodable,
      onDigest: (sha256) => source.fingerprint?.adopt(sha256),
    });
    return;
  }
  const parser = parse(options);
  const text = await openManifestText(source.path, {
    encoding: source.encoding,
    skipLines: source.skipLines,
    onSkipped: source.onSkipped,
    file: source.file,
    ...(source.opened ? { opened: source.opened } : {}),
    ...(source.fingerprint ? { onBytes: (chunk: Buffer) => source.fingerprint?.update(chunk) } : {}),
  });
  text.stream.on("error", (error) => parser.destroy(error));
  text.stream.pipe(parser);
  for await (const batch of drainInBatches<string[]>(parser)) {
    const verdict = text.undecodable();
    if (verdict) source.onUndecodable(verdict);
    yield batch;
  }
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

/** A record that csv-parse could not read, as a problem of the line it starts on. */
function malformedRow(file: string, line: number, reason: string, text: string | undefined): ReadRow {
  const location = { file, line };
  return {
    location,
    fields: {},
    problem: makeProblem(location, "row", "a well-formed CSV record", text, `malformed CSV: ${reason}`),
  };
}

/** Rows of a CSV manifest, in batches, each with the line it starts on. */
export async function* readCsv(
  path: string,
  file: string,
  options: CsvReadOptions = {},
): AsyncGenerator<ReaderEvent> {
  // Empty lines are not skipped by csv-parse: they come through as [""] and are counted here, so
  // line numbers need no help from csv-parse's `info` (which costs an object per record, and
  // counts a CRLF inside a quoted field as two lines).
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
  const separator = delimiter === "," ? "a comma" : describeDelimiter(delimiter);

  let columns: string[] | null = null;
  let width = 0;
  /** Every column, blank: rows start as a copy, so they all share one shape. */
  let template: Record<string, undefined> = {};
  /** The line the next record starts on. */
  let line = 1;
  /** Reading on after a malformed record: its line, why, and its text once skipped. */
  let broken: { line: number; reason: string; text?: string } | null = null;
  let malformed = 0;
  let undecodable: Undecodable | null = null;
  for (;;) {
    let failure: CsvError | null = null;
    const first = malformed === 0;
    const source: RecordSource = {
      path,
      opened: first ? file0 : null,
      fingerprint: first ? fingerprint : null,
      file,
      delimiter,
      encoding,
      inWorker: inWorker && first,
      skipLines: first ? 0 : line - 1,
      onSkipped: (text) => {
        if (broken) broken.text = text;
      },
      onUndecodable: (verdict) => void (undecodable ??= verdict),
    };
    try {
      for await (const batch of recordBatches(source)) {
        const rows: ReadRow[] = [];
        if (broken) rows.push(malformedRow(file, broken.line, broken.reason, broken.text));
        broken = null;
        for (const record of batch) {
          const start = line;
          line += 1;
          for (let i = 0; i < record.length; i++) {
            const cell = record[i] as string;
            if (cell.length > 0 && cell.includes("\n")) line += countOf(cell, "\n");
          }
          if (record.length === 1 && (record[0] as string).trim() === "") continue; // an empty line
          if (columns === null) {
            columns = (options.header ?? checkHeader)(file, record, delimiter);
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
          if (record.length !== width) {
            const problem = makeProblem(
              location,
              "row",
              `${width} cells, as in the header`,
              record.length,
              `row has ${record.length} cells but the header has ${width}; quote any field that contains ${separator} ` +
                `("a${delimiter === "\t" ? " " : delimiter} b") and check for missing or extra ${delimiter === "," ? "commas" : "separators"}`,
            );
            rows.push({ location, fields, problem });
          } else {
            rows.push(undecodable ? { location, fields, undecodable } : { location, fields });
          }
        }
        if (rows.length > 0) yield { kind: "rows", rows };
      }
    } catch (error) {
      if (error instanceof ManifestError || !(error instanceof CsvError)) throw error;
      failure = error;
    }
    if (broken) yield { kind: "rows", rows: [malformedRow(file, broken.line, broken.reason, broken.text)] };
    broken = null;
    if (failure === null) break;
    if (columns === null) throw csvSyntaxError(file, failure, line);
    malformed += 1;
    if (malformed > MAX_MALFORMED_RECORDS) {
      throw new ManifestError(
        `${file} line ${line}: malformed CSV again (${MAX_MALFORMED_RECORDS} malformed records before this one), ` +
          `so reading stopped here: ${syntaxReason(failure)}. Check that this is a CSV file separated by ${separator}` +
          " (--delimiter sets another).",
        { file, line, field: "row", expected: "a well-formed CSV record", cause: failure },
      );
    }
    // Read on at the next line: the record's own line is the problem, the rest may be fine.
    broken = { line, reason: syntaxReason(failure) };
    line += 1;
  }
  // Read on after a malformed record: the first read stopped early, so there is no fingerprint.
  yield { kind: "fingerprint", sha256: malformed === 0 ? fingerprint.digest() : null };
  if (columns === null) {
    throw new ManifestError(
      `${file} is empty: expected a header row such as \`id,model,prompt,quality\` followed by one row per job.`,
      {
        file,
        line: 1,
        field: "header",
        expected: "a header row",
      },
    );
  }
}
