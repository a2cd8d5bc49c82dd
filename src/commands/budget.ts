/** `budget`: raise, lower or remove a batch's cap; rows the old cap held back are released at once. */
import { UsageError } from "../core/errors.js";
import { formatUsd } from "../core/money.js";
import { createBudgetHistory } from "../ledger/budget-history.js";
import { createQueues } from "../queue/queues.js";
import type { CommandContext } from "./context.js";
import { applyCap } from "../batch/apply-cap.js";
import { openQueueDeps } from "../runtime/deps.js";

export async function budget(
  ctx: CommandContext,
  settings: { readonly batchId: string; readonly capMicros: number | null },
): Promise<void> {
  const { batchId, capMicros } = settings;
  const deps = await openQueueDeps(ctx.io);
  const queues = createQueues(deps.redis, deps.keys, batchId);
  try {
    const record = await deps.ledger.batches.get(batchId);
    if (!record)
      throw new UsageError(`no batch "${batchId}" in Redis; list batches with \`runflow-batch status\``);
    const promoted = await applyCap(
      deps.ledger,
      queues,
      batchId,
      capMicros,
      deps.logger,
      createBudgetHistory(deps.redis, deps.keys),
    );
    const cap = capMicros === null ? "removed" : `$${formatUsd(capMicros)}`;
    const money = `spent $${formatUsd(record.spentMicros)}, reserved $${formatUsd(record.reservedMicros)}`;
    ctx.io.stdout.write(`${batchId}: cap ${cap} (${money}); ${promoted} held rows released\n`);
  } finally {
    await queues.close();
    await deps.close();
  }
}
