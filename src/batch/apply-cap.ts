/**
 * Changing a batch's cap: the new cap is stored atomically (which unblocks the batch), and rows
 * the old cap held back are promoted so workers pick them up now rather than at their next
 * re-check. A batch that ended at the old cap is open again (running): its workers go on, and
 * it ends again when its rows are done or the new cap stops it.
 */
import type { Logger } from "../log/logger.js";
import type { Ledger } from "../ledger/ledger.js";
import type { BudgetHistory } from "../ledger/budget-history.js";
import { jobIdFor } from "../ledger/keys.js";
import type { Queues } from "../queue/queues.js";

export async function applyCap(
  ledger: Pick<Ledger, "batches" | "results" | "rows" | "rowStore">,
  queues: Queues,
  batchId: string,
  capMicros: number | null,
  logger: Logger,
  history: BudgetHistory,
): Promise<number> {
  const before = await ledger.batches.get(batchId);
  await ledger.batches.setCap(batchId, capMicros);
  if (before?.state === "budget") await ledger.batches.setState(batchId, "running");
  const event = {
    at: new Date().toISOString(),
    kind: "changed" as const,
    cap_micros: capMicros,
    previous_cap_micros: before?.capMicros ?? null,
  };
  await history.append(batchId, { ...event, spent_micros: before?.spentMicros ?? 0 });
  const held = await ledger.results.heldRows(batchId);
  const [attempts, rows] = await Promise.all([
    ledger.rows.attempts(batchId, held),
    ledger.rowStore.get(batchId, held),
  ]);
  let promoted = 0;
  for (const [i, row] of held.entries()) {
    const stored = rows[i];
    if (!stored) continue;
    const id = jobIdFor(batchId, row, attempts[i] ?? 1, stored.content_sha);
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
