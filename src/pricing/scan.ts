/**
 * The one streaming pass over a manifest: counts, every problem (the first `maxProblems` kept, all
 * counted), the estimated cost of the valid rows and their metadata keys — and, through `onChunk`,
 * whatever else a command does with the rows as they stream by (batch/open/manifest-pass.ts plans
 * them against the ledger and stores them). Nothing reads the manifest again afterwards.
 */
import { detectFormat } from "../manifest/stream.js";
import type { ManifestSource } from "../manifest/source.js";
import type { ManifestFormat, Problem } from "../manifest/types.js";
import { pricedRowBatches, type PricedItem } from "./priced-rows.js";
import { BUILT_IN_PRICES, type PriceTable } from "./table.js";
import { createCostAccumulator, type CostSummary } from "./totals.js";

export interface ScanOptions {
  /** The price table to estimate with; built-in prices by default. */
  readonly prices?: PriceTable | undefined;
  /** How many problems to keep in memory (all are counted). Default 1000. */
  readonly maxProblems?: number | undefined;
  /** Called with each chunk of items, in file order, before the next is read. */
  readonly onChunk?: ((items: readonly PricedItem[]) => Promise<void>) | undefined;
  /** Rows from elsewhere than the source's file (promote: a draft's picks), read instead of it. */
  readonly items?: AsyncIterable<PricedItem[]> | undefined;
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
  /** Every metadata key of the valid rows, sorted (results.csv has a column for each). */
  readonly metadataKeys: readonly string[];
  /** What reading the file taught, besides its rows. */
  readonly reading: {
    /** The CSV separator in use: given, or read from the header. */
    readonly delimiter: string | null;
    /** SHA-256 of the file's bytes, taken as they were read; null when not read once through (or a feed). */
    readonly sha256: string | null;
  };
}

const DEFAULT_MAX_PROBLEMS = 1000;

export async function scanManifest(source: ManifestSource, options: ScanOptions = {}): Promise<ManifestScan> {
  // A feed read through a recipe may be XML or TSV: its reader tells the format (src/feed/).
  const format = source.recipe ? (source.format ?? "csv") : detectFormat(source.path, source.format);
  const prices = options.prices ?? BUILT_IN_PRICES;
  const maxProblems = options.maxProblems ?? DEFAULT_MAX_PROBLEMS;
  const accumulator = createCostAccumulator();
  const problems: Problem[] = [];
  let problemCount = 0;
  let rows = 0;
  let validRows = 0;
  const metadataKeys = new Set<string>();
  const reading: { delimiter: string | null; sha256: string | null } = { delimiter: null, sha256: null };
  const observer = {
    onDelimiter: (delimiter: string) => void (reading.delimiter = delimiter),
    onFingerprint: (sha256: string | null) => void (reading.sha256 = sha256),
  };
  const chunks =
    options.items ?? pricedRowBatches(source.recipe ? source : { ...source, format }, prices, observer);
  for await (const items of chunks) {
    rows += items.length;
    await options.onChunk?.(items);
    for (const item of items) {
      if (!item.ok) {
        problemCount += item.problems.length;
        for (const problem of item.problems) if (problems.length < maxProblems) problems.push(problem);
        continue;
      }
      validRows += 1;
      const { row } = item;
      if (row.metadata) for (const key in row.metadata) metadataKeys.add(key);
      accumulator.add({
        model: row.model,
        quality: row.quality,
        images: row.images,
        estimatedMicros: item.estimateMicros,
      });
    }
  }
  const summary = accumulator.summary();
  return {
    file: source.label ?? source.path,
    format,
    rows,
    validRows,
    invalidRows: rows - validRows,
    problems,
    problemCount,
    cost: summary,
    prices,
    metadataKeys: [...metadataKeys].sort(),
    reading,
  };
}
