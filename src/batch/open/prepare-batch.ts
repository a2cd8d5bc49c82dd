/**
 * Which batch a command opens, and its record: the id and directory from --batch, the
 * directory's marker, or both derived (identify); then, once the manifest pass proved the rows
 * valid, the record created or brought up to date with the manifest as it is now (ensureRecord),
 * and the marker written.
 *
 * An output directory is a batch: DIR/.runflow-batch.json names it (outdir/marker.ts). A directory
 * that holds a batch of another endpoint or account is refused, and so is a batch id that belongs
 * to another directory — before anything is read or written.
 */
import { UsageError } from "../../core/errors.js";
import { resolveOut } from "../../core/out-location.js";
import { checkBatchId } from "../../ledger/batch-id.js";
import type { BatchRecord, NewSubmission } from "../../ledger/batch-record.js";
import type { BatchRecords } from "../../ledger/batch-records.js";
import { defaultBatchId, describeBinding, sameBinding, type Binding } from "../../ledger/binding.js";
import { checkMarkerBinding, readMarker, writeMarker, type DirMarker } from "../../outdir/marker.js";
import { defaultOutDir } from "../../outdir/paths.js";
import type { BatchStore } from "../../outdir/store.js";
import { asStore } from "../../outdir/stores.js";

export interface Identity {
  readonly id: string;
  /** The batch's directory, resolved (a path, or s3://bucket/prefix). */
  readonly out: string;
  /** Its store: every read and write of the directory goes through it. */
  readonly store: BatchStore;
  /** What the directory's marker says, or null when it holds no batch yet. */
  readonly marker: DirMarker | null;
}

/** The batch id and resolved directory: from --batch, the directory's marker, or both derived. */
export async function identify(o: {
  readonly batchId: string | undefined;
  readonly out: string | undefined;
  readonly binding: Binding;
  /** Opens a directory's store (default: local paths only). */
  readonly open?: ((out: string) => BatchStore) | undefined;
}): Promise<Identity> {
  const open = o.open ?? asStore;
  if (o.out === undefined) {
    if (o.batchId === undefined)
      throw new UsageError(
        "say where the batch's results go with --out DIR (or name the batch with --batch ID)",
      );
    const id = checkBatchId(o.batchId);
    const out = defaultOutDir(id);
    const store = open(out);
    return { id, out, store, marker: await readMarker(store) };
  }
  const out = resolveOut(o.out);
  const store = open(out);
  const marker = await readMarker(store);
  if (marker) checkMarkerBinding(o.out, marker, o.binding);
  const given = o.batchId === undefined ? null : checkBatchId(o.batchId);
  if (marker && given !== null && marker.batch !== given) {
    throw new UsageError(
      `${o.out} holds batch ${marker.batch}, not ${given}: one directory is one batch. ` +
        `Leave out --batch to bring ${marker.batch} up to date, or pass another --out for ${given}.`,
    );
  }
  return { id: given ?? marker?.batch ?? defaultBatchId(out, o.binding), out, store, marker };
}

/** Refuses a batch that Redis holds for another endpoint/account or another directory. */
export function checkRecord(record: BatchRecord, identity: Identity, binding: Binding): void {
  const { id, out } = identity;
  const bound = record.submission.binding;
  if (!sameBinding(bound, binding)) {
    throw new UsageError(
      `batch ${id} was made for ${describeBinding(bound)}; this command is for ${describeBinding(binding)}. ` +
        "Use the batch's RUNFLOW_BASE_URL and RUNFLOW_API_KEY (or --simulate, if it was a rehearsal), " +
        "or another --batch.",
    );
  }
  if (record.submission.out !== out) {
    throw new UsageError(
      `batch ${id} writes to ${record.submission.out}, not ${out}: one directory is one batch. ` +
        `Run it with --out ${record.submission.out}, or leave out --batch to make ${out} a batch of its own.`,
    );
  }
}

/**
 * Creates the batch, or brings its record up to date with the manifest as it is now (a re-run),
 * and writes the directory's marker. `created`: this call made it.
 */
export async function ensureRecord(o: {
  readonly batches: BatchRecords;
  readonly identity: Identity;
  readonly binding: Binding;
  readonly capMicros: number | null;
  readonly submission: Omit<NewSubmission, "out" | "binding">;
  readonly now: Date;
}): Promise<{ record: BatchRecord; created: boolean }> {
  const { id, out } = o.identity;
  const submission = { ...o.submission, out, binding: o.binding };
  const made = await o.batches.create({ id, capMicros: o.capMicros, submission }, o.now);
  let { record } = made;
  if (!made.created) {
    checkRecord(record, o.identity, o.binding);
    await o.batches.refresh(id, submission);
    record = (await o.batches.get(id)) ?? record;
  }
  await writeMarker(o.identity.store, {
    batch: id,
    endpoint: o.binding.endpoint,
    account: o.binding.account,
    created_at: record.submission.createdAt,
  });
  return { record, created: made.created };
}
