/**
 * Pricing one manifest row. Per-image models: tier price × images; per-request models: one
 * price. A missing price throws UnknownPriceError (never zero); callers turn it into a
 * per-row problem. Pure.
 */
import type { JobRow } from "../manifest/types.js";
import type { Micros } from "../core/money.js";
import { priceOf, UnknownPriceError, type PriceTable } from "./table.js";

export function priceRow(table: PriceTable, row: Pick<JobRow, "model" | "quality" | "images">): Micros {
  return priceOf(table, row.model, row.quality, row.images);
}

/**
 * The row's price, or null when its model or tier has no price: such rows were reported as
 * problems by the validation pass and skipped (--skip-invalid), so later passes skip them too.
 */
export function priceRowOrNull(
  table: PriceTable,
  row: Pick<JobRow, "model" | "quality" | "images">,
): Micros | null {
  try {
    return priceRow(table, row);
  } catch (error) {
    if (error instanceof UnknownPriceError) return null;
    throw error;
  }
}
