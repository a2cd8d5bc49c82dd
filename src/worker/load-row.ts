/**
 * What a worker does first with a job: read the row it names from the batch's row store. A job
 * carries only batch, row key, attempt and content fingerprint; the row's input, metadata and
 * price are kept once, in the ledger.
 *
 * A job queued before the row's content changed (the manifest was edited and run again) is stale:
 * if its run exists, that run is resumed and recorded with the content it was created with;
 * otherwise the job is dropped — the feeder queues the row's current content as a job of its own.
 */
import type { RowStore } from "../ledger/row-store.js";
import type { RowJobData } from "../queue/job-data.js";
import type { RowWork } from "./row-types.js";

export type Loaded =
  | { readonly kind: "work"; readonly work: RowWork }
  /** The batch no longer has the row, or the job's content was superseded before it ran. */
  | { readonly kind: "gone" };

export async function loadRow(
  data: RowJobData,
  store: Pick<RowStore, "get">,
  runOf: (batchId: string, row: string) => Promise<string | null>,
): Promise<Loaded> {
  const [stored] = await store.get(data.batch, [data.key]);
  if (!stored) return { kind: "gone" };
  if (stored.content_sha !== data.contentSha && (await runOf(data.batch, data.key)) === null)
    return { kind: "gone" };
  const { model, quality, images, input, metadata, draft } = stored;
  return {
    kind: "work",
    work: {
      batch: data.batch,
      row: { key: data.key, model, quality, images, input, metadata, ...(draft ? { draft } : {}) },
      estimateMicros: stored.estimate_micros,
      seq: stored.seq,
      attempt: data.attempt,
      contentSha: data.contentSha,
    },
  };
}
