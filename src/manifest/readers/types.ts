import type { Problem, RawRow } from "../types.js";

/** A row as a reader produced it; `problem` when the reader already knows it is broken (ragged CSV row). */
export interface ReadRow extends RawRow {
  readonly problem?: Problem;
}

/**
 * What readers yield: rows in batches (cheap to stream), a JSON manifest's `defaults` first, the
 * separator a CSV file turned out to use before its rows, and the file's fingerprint (SHA-256 of
 * its bytes, null when the pass did not read every byte once) last.
 */
export type ReaderEvent =
  | { readonly kind: "defaults"; readonly value: unknown }
  | { readonly kind: "rows"; readonly rows: readonly ReadRow[] }
  | { readonly kind: "delimiter"; readonly delimiter: string }
  | { readonly kind: "fingerprint"; readonly sha256: string | null };
