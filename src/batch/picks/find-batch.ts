/**
 * The batch a command names by its id or by its directory (`picks BATCH`, `promote DRAFT_BATCH`):
 * a directory holding a batch (DIR/.runflow-batch.json) names it; anything else is an id.
 */
import { stat } from "node:fs/promises";
import path from "node:path";
import { UsageError } from "../../core/errors.js";
import type { BatchRecord } from "../../ledger/batch-record.js";
import type { BatchRecords } from "../../ledger/batch-records.js";
import { readMarker } from "../../outdir/marker.js";

const isDirectory = (dir: string) =>
  stat(dir).then(
    (s) => s.isDirectory(),
    () => false,
  );

export async function findBatch(batches: Pick<BatchRecords, "get">, given: string): Promise<BatchRecord> {
  const marker = (await isDirectory(given)) ? await readMarker(path.resolve(given)) : null;
  const id = marker?.batch ?? given;
  const record = await batches.get(id);
  if (record) return record;
  if (marker)
    throw new UsageError(
      `${given} holds batch ${marker.batch}, which is no longer in Redis; run its manifest again into ${given} ` +
        "to bring it back (nothing is paid twice)",
    );
  throw new UsageError(
    `no batch "${given}" in Redis, and ${given} is not a batch's directory; ` +
      "name a batch by its id (see `runflow-batch status`) or by its directory",
  );
}
