/**
 * Everything `submit` and `run` do before the first row is queued: validate and price the whole
 * manifest (one streaming pass), refuse an invalid one (nothing submitted), name the batch, and
 * create or resume its record.
 */
import { UsageError } from "../../core/errors.js";
import { formatProblems, ManifestError } from "../../manifest/index.js";
import { readingOptions, type ManifestSource } from "../../manifest/source.js";
import { scanManifest, type ManifestScan } from "../../pricing/scan.js";
import type { PriceTable } from "../../pricing/table.js";
import { checkBatchId, defaultBatchId } from "../../ledger/batch-id.js";
import type { BatchRecord } from "../../ledger/batch-record.js";
import type { BatchRecords } from "../../ledger/batch-records.js";
import { manifestSha256 } from "../../manifest/fingerprint.js";
import { costSummaryJson } from "../../pricing/totals.js";
import path from "node:path";

export interface PrepareOptions {
  readonly batches: BatchRecords;
  readonly source: ManifestSource;
  readonly prices: PriceTable;
  readonly batchId?: string | undefined;
  /** Where images go; default out/<batch id>. */
  readonly out?: string | undefined;
  readonly capMicros: number | null;
  readonly skipInvalid: boolean;
  readonly now: () => Date;
}

export interface PreparedBatch {
  readonly record: BatchRecord;
  readonly created: boolean;
  readonly scan: ManifestScan;
  /** Problems of skipped rows, formatted, when --skip-invalid let the batch go on. */
  readonly skipped: string | null;
}

export async function prepareBatch(options: PrepareOptions): Promise<PreparedBatch> {
  // The fingerprint needs its own read of the file; it runs alongside the validation pass.
  const [scan, sha] = await Promise.all([scanManifest(options.source, { prices: options.prices }), manifestSha256(options.source.path)]);
  const file = path.basename(options.source.path);
  if (scan.problemCount > 0 && !options.skipInvalid) {
    throw new ManifestError(
      `${file}: ${scan.invalidRows} of ${scan.rows} rows are invalid; nothing was submitted.\n` +
        formatProblems(scan.problems, undefined, scan.problemCount) +
        `\nFix them, or pass --skip-invalid to submit the ${scan.validRows} valid rows.`,
      { file: options.source.path },
    );
  }
  if (scan.validRows === 0) throw new UsageError(`${file} has no valid rows to submit`);
  const manifestOptions = readingOptions(options.source);
  const id = options.batchId !== undefined ? checkBatchId(options.batchId) : defaultBatchId(sha, { ...manifestOptions });
  const { record, created } = await options.batches.create(
    {
      id,
      capMicros: options.capMicros,
      submission: {
        manifest: { ...manifestOptions, path: path.resolve(options.source.path), sha256: sha },
        rows: scan.validRows,
        invalidRows: scan.invalidRows,
        estimate: { micros: scan.cost.estimatedMicros, ...costSummaryJson(scan.cost, { includeActual: false }) },
        prices: options.prices,
        out: path.resolve(options.out ?? path.join("out", id)),
      },
    },
    options.now(),
  );
  const stored = record.submission.manifest;
  if (!created && stored.sha256 !== sha) {
    throw new UsageError(`batch ${id} was created from a different manifest (${stored.path}); choose another --batch id`);
  }
  const skipped = scan.problemCount > 0 ? formatProblems(scan.problems, undefined, scan.problemCount) : null;
  return { record, created, scan, skipped };
}
