/**
 * The manifest's rows, validated and priced, in file order: the one stream every reader of a
 * manifest uses (estimate's scan, the producer, the pre-flight, the reports). A valid row whose
 * model or tier has no price is a problem of that row, never a zero. `seq` is the row's position
 * among all rows (valid or not), which reports sort by.
 */
import { streamManifestBatches, type ReadingObserver } from "../manifest/stream.js";
import { makeProblem } from "../manifest/problems.js";
import type { ManifestSource } from "../manifest/source.js";
import type { JobRow, Problem, RowLocation } from "../manifest/types.js";
import type { Micros } from "../core/money.js";
import { priceRow } from "./price-row.js";
import { UnknownPriceError, type PriceTable } from "./table.js";

export type PricedItem =
  | { readonly ok: true; readonly seq: number; readonly row: JobRow; readonly estimateMicros: Micros }
  | {
      readonly ok: false;
      readonly seq: number;
      readonly problems: readonly Problem[];
      readonly location: RowLocation;
    };

/** Priced items in batches (the readers' own batches: per-row async iteration stays off the hot path). */
export async function* pricedRowBatches(
  source: ManifestSource,
  prices: PriceTable,
  observer: ReadingObserver = {},
): AsyncGenerator<PricedItem[]> {
  let seq = -1;
  // A feed's readers (Liquid, XML, YAML recipes) load only when a recipe is given.
  const batches = source.recipe
    ? (await import("../feed/stream.js")).streamFeedBatches(source)
    : streamManifestBatches(source.path, source, observer);
  for await (const items of batches) {
    const priced = new Array<PricedItem>(items.length);
    for (let i = 0; i < items.length; i++) {
      const item = items[i]!;
      seq += 1;
      if (!item.ok) {
        priced[i] = { ok: false, seq, problems: item.problems, location: item.location };
        continue;
      }
      const { row } = item;
      try {
        priced[i] = { ok: true, seq, row, estimateMicros: priceRow(prices, row) };
      } catch (error) {
        if (!(error instanceof UnknownPriceError)) throw error;
        const field = row.quality === null ? "model" : "quality";
        const problem = makeProblem(
          row.location,
          field,
          "a tier with a price",
          row.quality ?? row.model,
          error.message,
        );
        priced[i] = { ok: false, seq, problems: [problem], location: row.location };
      }
    }
    yield priced;
  }
}
