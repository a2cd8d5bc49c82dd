/**
 * Pricing one manifest row. Per-image models: tier price × images; per-request models: one
 * price. A missing price throws UnknownPriceError (never zero); callers turn it into a
 * per-row problem. Pure.
 */
import type { JobRow } from "../manifest/types.js";
import type { Micros } from "../core/money.js";
import { priceOf, type PriceTable } from "./table.js";

export function priceRow(table: PriceTable, row: Pick<JobRow, "model" | "quality" | "images">): Micros {
  return priceOf(table, row.model, row.quality, row.images);
}
