/**
 * What a worker needs to know about a row's batch (its directory, store and prices), read from
 * the batch's record once per batch and kept; a failed read is forgotten, so the next row tries again.
 */
import { BatchGoneError } from "../core/errors.js";
import type { BatchRecords } from "../ledger/batch-records.js";
import type { StoreOpener } from "../outdir/store.js";
import { asStore } from "../outdir/stores.js";
import type { BatchInfo } from "./row-types.js";

export interface BatchInfoOptions {
  readonly batches: Pick<BatchRecords, "get">;
  /** Where a batch's images go, given its id and the directory stored on it (the default). */
  readonly outDirFor?: ((batchId: string, stored: string) => string) | undefined;
  /** Opens a batch's directory: a local path, or an S3 prefix (default: local paths only). */
  readonly stores?: StoreOpener | undefined;
}

export function createBatchInfo(options: BatchInfoOptions): (batchId: string) => Promise<BatchInfo> {
  const cache = new Map<string, Promise<BatchInfo>>();
  return (id) => {
    let info = cache.get(id);
    if (!info) {
      info = options.batches.get(id).then((record) => {
        if (!record) throw new BatchGoneError(id, null);
        const { out, prices } = record.submission;
        const outDir = options.outDirFor?.(id, out) ?? out;
        return { outDir, store: options.stores?.open(outDir) ?? asStore(outDir), prices };
      });
      info.catch(() => cache.delete(id));
      cache.set(id, info);
    }
    return info;
  };
}
