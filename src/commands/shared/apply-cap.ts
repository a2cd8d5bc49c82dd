/**
 * Changing a batch's cap: the new cap is stored atomically (which unblocks the batch), and rows
 * the old cap held back are promoted so workers pick them up now rather than at their next
 * re-check.
 */
import type { Logger } from "../../log/logger.js";
import type { BatchStore } from "../../ledger/batch-store.js";
import { jobIdFor } from "../../queue/keys.js";
import type { Queues } from "../../queue/queues.js";

export async function applyCap(store: BatchStore, queues: Queues, batchId: string, capMicros: number | null, logger: Logger): Promise<number> {
  await store.setCap(batchId, capMicros);
  const held = await store.heldRows(batchId);
  let promoted = 0;
  for (const row of held) {
    const id = jobIdFor(batchId, row);
    for (const queue of [queues.generate, queues.edit]) {
      const job = await queue.getJob(id);
      if (job && (await job.isDelayed())) {
        await job.promote();
        promoted += 1;
      }
    }
  }
  logger.debug({ batch: batchId, held: held.length, promoted }, "Budget cap changed.");
  return promoted;
}
