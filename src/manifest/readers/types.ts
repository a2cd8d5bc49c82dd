import type { Problem, RawRow } from "../types.js";

/** A row as a reader produced it; `problem` when the reader already knows it is broken (ragged CSV row). */
export interface ReadRow extends RawRow {
  readonly problem?: Problem;
}

/** What readers yield: rows in batches (cheap to stream), and a JSON manifest's `defaults` first. */
export type ReaderEvent =
  | { readonly kind: "defaults"; readonly value: unknown }
  | { readonly kind: "rows"; readonly rows: readonly ReadRow[] };
