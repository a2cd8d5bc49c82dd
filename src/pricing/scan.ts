/**
 * One streaming pass over a manifest for the commands' validation step: counts, every problem
 * (the first `maxProblems` kept, all counted) and the estimated cost of the valid rows. A row
 * whose model/tier has no price becomes a problem of that row — never a zero.
 * `estimate`, `submit` and `run` call this, then stream the file a second time to enqueue.
 */
import { priceRow } from "../pricing/price-row.js";
import { BUILT_IN_PRICES, UnknownPriceError, type PriceTable } from "../pricing/table.js";
import { createCostAccumulator, type CostSummary } from "../pricing/totals.js";
import { makeProblem } from "./problems.js";
import { detectFormat, streamManifestBatches, type StreamOptions } from "./stream.js";
import type { ManifestFormat, Problem } from "./types.js";

export interface ScanOptions extends StreamOptions {
  /** The price table to estimate with; built-in prices by default. */
  readonly prices?: PriceTable | undefined;
  /** How many problems to keep in memory (all are counted). Default 1000. */
  readonly maxProblems?: number | undefined;
}

export interface ManifestScan {
  readonly file: string;
  readonly format: ManifestFormat;
  /** Rows read (valid and invalid). */
  readonly rows: number;
  readonly validRows: number;
  readonly invalidRows: number;
  /** The first `maxProblems` problems, in file order. */
  readonly problems: readonly Problem[];
  /** Every problem found, including those not kept. */
  readonly problemCount: number;
  /** Estimated cost of the valid rows, per model × tier. */
  readonly cost: CostSummary;
  readonly prices: PriceTable;
}

export const DEFAULT_MAX_PROBLEMS = 1000;

export async function scanManifest(path: string, options: ScanOptions = {}): Promise<ManifestScan> {
  const format = detectFormat(path, options.format);
  const prices = options.prices ?? BUILT_IN_PRICES;
  const maxProblems = options.maxProblems ?? DEFAULT_MAX_PROBLEMS;
  const accumulator = createCostAccumulator();
  const problems: Problem[] = [];
  let problemCount = 0;
  let rows = 0;
  let validRows = 0;
  const keep = (list: readonly Problem[]) => {
    problemCount += list.length;
    for (const problem of list) if (problems.length < maxProblems) problems.push(problem);
  };
  for await (const items of streamManifestBatches(path, { ...options, format })) {
    rows += items.length;
    for (const item of items) {
      if (!item.ok) {
        keep(item.problems);
        continue;
      }
      const { row } = item;
      let estimatedMicros: number;
      try {
        estimatedMicros = priceRow(prices, row);
      } catch (error) {
        if (!(error instanceof UnknownPriceError)) throw error;
        keep([makeProblem(row.location, row.quality === null ? "model" : "quality", "a tier with a price", row.quality ?? row.model, error.message)]);
        continue;
      }
      validRows += 1;
      accumulator.add({ model: row.model, quality: row.quality, images: row.images, estimatedMicros });
    }
  }
  return { file: path, format, rows, validRows, invalidRows: rows - validRows, problems, problemCount, cost: accumulator.summary(), prices };
}
