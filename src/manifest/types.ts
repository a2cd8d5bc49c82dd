/**
 * What the manifest module hands to the rest of the tool. Readers produce RawRows; validation
 * turns each into a JobRow (ready to price and submit) or a list of Problems.
 */
import type { DraftRef } from "../core/draft-ref.js";
import type { ModelId, Quality } from "../core/models.js";

export type ManifestFormat = "csv" | "json" | "jsonl";

/** Where a row came from: a line for CSV/JSONL (1-based, the row's first line), an index for a JSON array. */
export type RowLocation =
  { readonly file: string; readonly line: number } | { readonly file: string; readonly index: number };

export interface RawRow {
  readonly location: RowLocation;
  /** Column/key → value as read: strings from CSV, JSON values from JSON/JSONL. */
  readonly fields: Readonly<Record<string, unknown>>;
  /** Read as UTF-8 after bytes that are not UTF-8 went by: what the file most likely is. */
  readonly undecodable?: Undecodable | undefined;
}

/** What a manifest read as UTF-8 but holding other bytes most likely is; null: no confident guess. */
export interface Undecodable {
  readonly guess: "windows-1252" | null;
}

/** A valid row, with every default resolved: exactly what gets priced and submitted. */
export interface JobRow {
  /** The row's key: its `id`, or one derived from its content. Unique within the manifest. */
  readonly key: string;
  readonly model: ModelId;
  /** Resolved tier for per-image models; null for per-request models. */
  readonly quality: Quality | null;
  /** Images this row will produce (num_images, or 1). */
  readonly images: number;
  /** The body's `input`, exactly as it will be POSTed (quality and num_images filled in). */
  readonly input: Readonly<Record<string, unknown>>;
  readonly metadata: Readonly<Record<string, string>> | null;
  readonly location: RowLocation;
  /** A final made from a draft image (promote; never from a manifest): part of its fingerprint. */
  readonly draft?: DraftRef;
}

/** One thing wrong with the input: `catalogue.csv line 12: quality must be one of low, medium, high, got "ultra"`. */
export interface Problem {
  readonly location: RowLocation;
  readonly field: string;
  readonly expected: string;
  readonly found: string;
  /** The whole sentence, ready to print. */
  readonly message: string;
  /**
   * A cause many rows can share (a file in another encoding): lists of problems say it once,
   * with how many rows and which, instead of once per row.
   */
  readonly cause?: ProblemCause | undefined;
}

export interface ProblemCause {
  /** What was found, as a noun phrase: `bytes that are not valid UTF-8 (shown as �)`. */
  readonly what: string;
  /** What to do, as a sentence. */
  readonly advice: string;
}

/**
 * How to read a manifest's bytes, besides its format: what `--delimiter` and `--encoding` say,
 * and the name problems give the file (`stdin` for a manifest read from standard input).
 * Stored with a batch, so later readers read the same rows the same way.
 */
export interface ManifestReading {
  /** CSV: the field separator; by default detected from the header line (`,` `;` or tab). */
  readonly delimiter?: string | undefined;
  /** Text encoding (e.g. `windows-1252`, `latin1`, `utf-16le`); default UTF-8. A BOM wins. */
  readonly encoding?: string | undefined;
  /** The name messages give the file instead of its path. */
  readonly label?: string | undefined;
}

export interface ManifestDefaults {
  readonly model?: ModelId;
  readonly quality?: Quality;
}

export type ManifestItem =
  | { readonly ok: true; readonly row: JobRow }
  | { readonly ok: false; readonly problems: readonly Problem[]; readonly location: RowLocation };
