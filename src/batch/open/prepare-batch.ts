/**
 * Everything `submit` and `run` do before the first row is queued: validate and price the whole
 * manifest (one streaming pass), refuse an invalid one (nothing submitted), find the batch the
 * output directory holds — or name a new one from the directory and the endpoint + account — and
 * create it, or bring its record up to date with the manifest as it is now.
 *
 * An output directory is a batch: DIR/.runflow-batch.json names it (outdir/marker.ts). A directory
 * that holds a batch of another endpoint or account is refused, and so is a batch id that belongs
 * to another directory.
 */
import path from "node:path";
import { UsageError } from "../../core/errors.js";
import { checkBatchId } from "../../ledger/batch-id.js";
import type { BatchRecord } from "../../ledger/batch-record.js";
import type { BatchRecords } from "../../ledger/batch-records.js";
import { defaultBatchId, describeBinding, sameBinding, type Binding } from "../../ledger/binding.js";
import { manifestSha256 } from "../../manifest/fingerprint.js";
import { formatProblems, ManifestError } from "../../manifest/index.js";
import { readingOptions, type ManifestSource } from "../../manifest/source.js";
import { checkMarkerBinding, readMarker, writeMarker } from "../../outdir/marker.js";
import { scanManifest, type ManifestScan } from "../../pricing/scan.js";
import type { PriceTable } from "../../pricing/table.js";
import { costSummaryJson } from "../../pricing/totals.js";

export interface PrepareOptions {
  readonly batches: BatchRecords;
  readonly source: ManifestSource;
  readonly prices: PriceTable;
  readonly batchId?: string | undefined;
  /** The batch's directory; default out/<batch id> when only --batch is given. */
  readonly out?: string | undefined;
  readonly binding: Binding;
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

/** The batch id and resolved directory: from --batch, the directory's marker, or both derived. */
async function identify(o: PrepareOptions): Promise<{ id: string; out: string }> {
  if (o.out === undefined) {
    if (o.batchId === undefined)
      throw new UsageError(
        "say where the batch's results go with --out DIR (or name the batch with --batch ID)",
      );
    const id = checkBatchId(o.batchId);
    return { id, out: path.resolve("out", id) };
  }
  const out = path.resolve(o.out);
  const marker = await readMarker(out);
  if (marker) checkMarkerBinding(o.out, marker, o.binding);
  const given = o.batchId === undefined ? null : checkBatchId(o.batchId);
  if (marker && given !== null && marker.batch !== given) {
    throw new UsageError(
      `${o.out} holds batch ${marker.batch}, not ${given}: one directory is one batch. ` +
        `Leave out --batch to bring ${marker.batch} up to date, or pass another --out for ${given}.`,
    );
  }
  return { id: given ?? marker?.batch ?? defaultBatchId(out, o.binding), out };
}

export async function prepareBatch(o: PrepareOptions): Promise<PreparedBatch> {
  // The fingerprint needs its own read of the file; it runs alongside the validation pass.
  const [scan, sha] = await Promise.all([
    scanManifest(o.source, { prices: o.prices }),
    manifestSha256(o.source.path),
  ]);
  const file = o.source.label ?? path.basename(o.source.path);
  if (scan.problemCount > 0 && !o.skipInvalid) {
    throw new ManifestError(
      `${file}: ${scan.invalidRows} of ${scan.rows} rows are invalid; nothing was submitted.\n` +
        formatProblems(scan.problems, undefined, scan.problemCount) +
        `\nFix them, or pass --skip-invalid to submit the ${scan.validRows} valid rows.`,
      { file: o.source.path },
    );
  }
  if (scan.validRows === 0) throw new UsageError(`${file} has no valid rows to submit`);
  const { id, out } = await identify(o);
  const submission = {
    manifest: { ...readingOptions(o.source), path: path.resolve(o.source.path), sha256: sha },
    rows: scan.validRows,
    invalidRows: scan.invalidRows,
    estimate: { micros: scan.cost.estimatedMicros, ...costSummaryJson(scan.cost, { includeActual: false }) },
    prices: o.prices,
    out,
    binding: o.binding,
  };
  const made = await o.batches.create({ id, capMicros: o.capMicros, submission }, o.now());
  const { created } = made;
  let { record } = made;
  if (!created) {
    const bound = record.submission.binding;
    if (!sameBinding(bound, o.binding)) {
      throw new UsageError(
        `batch ${id} was made for ${describeBinding(bound)}; this command is for ${describeBinding(o.binding)}. ` +
          `Use the batch's RUNFLOW_BASE_URL and RUNFLOW_API_KEY (or --simulate, if it was a rehearsal), or another --batch.`,
      );
    }
    if (record.submission.out !== out) {
      throw new UsageError(
        `batch ${id} writes to ${record.submission.out}, not ${out}: one directory is one batch. ` +
          `Run it with --out ${record.submission.out}, or leave out --batch to make ${out} a batch of its own.`,
      );
    }
    // Re-running brings the batch up to date with the manifest as it is now.
    await o.batches.refresh(id, submission);
    record = (await o.batches.get(id)) ?? record;
  }
  await writeMarker(out, {
    batch: id,
    endpoint: o.binding.endpoint,
    account: o.binding.account,
    created_at: record.submission.createdAt,
  });
  const skipped = scan.problemCount > 0 ? formatProblems(scan.problems, undefined, scan.problemCount) : null;
  return { record, created, scan, skipped };
}
