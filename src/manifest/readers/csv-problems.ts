/**
 * What can be wrong with a CSV manifest's records, worded: a malformed record (a stray or
 * unclosed quote) as a problem of its line or, before the header or too often, the manifest's
 * error; a ragged row (more or fewer cells than the header); an empty file.
 */
import type { CsvError } from "csv-parse";
import { ManifestError } from "../errors.js";
import { makeProblem } from "../problems.js";
import type { RowLocation } from "../types.js";
import type { ReadRow } from "./types.js";

/** After this many malformed records the file is taken for something else than CSV. */
export const MAX_MALFORMED_RECORDS = 100;

const SYNTAX_REASONS: Readonly<Record<string, string>> = {
  CSV_QUOTE_NOT_CLOSED:
    "a quoted field that opens on or after this line is never closed; add the closing double quote",
  INVALID_OPENING_QUOTE:
    "a double quote appears inside an unquoted field; " +
    'quote the whole field and double the inner quotes ("say ""hi""")',
  CSV_INVALID_CLOSING_QUOTE:
    'a quoted field has text after its closing quote; double the quotes that belong to the text ("")',
  CSV_MAX_RECORD_SIZE:
    "a row is longer than 1 MiB, usually a quoted field that never closes; check the quotes from this line on",
};

export function syntaxReason(error: CsvError): string {
  return SYNTAX_REASONS[error.code] ?? `${error.message}; check the quoting on this line`;
}

/** A malformed record before the header: the manifest cannot be read. */
export function csvSyntaxError(file: string, error: CsvError, line: number): ManifestError {
  return new ManifestError(`${file} line ${line}: malformed CSV: ${syntaxReason(error)}.`, {
    file,
    line,
    field: "row",
    expected: "a well-formed CSV record",
    cause: error,
  });
}

/** Malformed once too often: this is not a CSV file separated by `separator`. */
export function tooManyMalformed(file: string, line: number, failure: CsvError, separator: string) {
  return new ManifestError(
    `${file} line ${line}: malformed CSV again (${MAX_MALFORMED_RECORDS} malformed records before this one), ` +
      `so reading stopped here: ${syntaxReason(failure)}. Check that this is a CSV file separated by ${separator}` +
      " (--delimiter sets another).",
    { file, line, field: "row", expected: "a well-formed CSV record", cause: failure },
  );
}

/** A record that csv-parse could not read, as a problem of the line it starts on. */
export function malformedRow(file: string, line: number, reason: string, text: string | undefined): ReadRow {
  const location = { file, line };
  return {
    location,
    fields: {},
    problem: makeProblem(location, "row", "a well-formed CSV record", text, `malformed CSV: ${reason}`),
  };
}

/** A row with more or fewer cells than the header: quoting is the usual cause. */
export function raggedRow(
  location: RowLocation,
  fields: Record<string, string | undefined>,
  cells: number,
  width: number,
  delimiter: string,
  separator: string,
): ReadRow {
  const example = `"a${delimiter === "\t" ? " " : delimiter} b"`;
  const separators = delimiter === "," ? "commas" : "separators";
  const message =
    `row has ${cells} cells but the header has ${width}; quote any field that contains ${separator} ` +
    `(${example}) and check for missing or extra ${separators}`;
  const problem = makeProblem(location, "row", `${width} cells, as in the header`, cells, message);
  return { location, fields, problem };
}

export function emptyCsv(file: string): ManifestError {
  return new ManifestError(
    `${file} is empty: expected a header row such as \`id,model,prompt,quality\` followed by one row per job.`,
    { file, line: 1, field: "header", expected: "a header row" },
  );
}
