/**
 * `cancel BATCH`: stop a batch on purpose. From now on nothing more of it is submitted (the
 * ledger refuses new reservations, so queued rows pass through the workers at once without a
 * request, and `run`'s producer stops); runs
 * already in flight are waited for — they are billed anyway — and recorded by whichever worker
 * holds them; the rest are `canceled` in the reports, and the batch ends `canceled` with its
 * reports and notification. When no worker holds the rows in flight any more (all stopped), it
 * ends the batch at once: their run ids stay, and a re-run picks them up.
 */
import { setTimeout as sleep } from "node:timers/promises";
import { UsageError } from "../core/errors.js";
import type { BatchRecord } from "../ledger/batch-record.js";
import { createBatchPool } from "../ledger/pool.js";
import { createQueues, type Queues } from "../queue/queues.js";
import { CANCELED_REASON, createBatchFinisher, endOf, type BatchFinisher } from "../worker/batch-end.js";
import type { CommandContext } from "./context.js";
import { endBatchHandler } from "../batch/end/end-batch.js";
import { openQueueDeps, type QueueDeps } from "../runtime/deps.js";
import type { RedisPatience } from "../batch/settings.js";

export interface CancelSettings extends RedisPatience {
  readonly batchId: string;
  /** Return once nothing more is submitted, without waiting for the runs in flight. */
  readonly noWait: boolean;
}

/** Workers connected to the batch's queues right now, or null when Redis will not say (CLIENT disabled). */
async function liveWorkers(queues: Queues): Promise<number | null> {
  try {
    const counts = await Promise.all([queues.generate.getWorkersCount(), queues.edit.getWorkersCount()]);
    return counts[0] + counts[1];
  } catch {
    return null;
  }
}

/** The batch once its reports are written by whoever ended it (bounded: a process may die doing it). */
async function waitForReports(batchId: string, deps: QueueDeps): Promise<BatchRecord> {
  const deadline = Date.now() + 60_000;
  for (;;) {
    const record = await deps.guard(deps.ledger.batches.get(batchId));
    if (!record) throw new UsageError(`batch ${batchId} disappeared from Redis while being canceled`);
    if (record.reportedAt !== null || Date.now() > deadline) return record;
    await sleep(100);
  }
}

/**
 * Waits until the batch ends: a worker records its last run in flight, or it ends here when it
 * is over or no worker holds its runs any more. "left": the user does not wait (--no-wait, Ctrl-C).
 */
async function untilEnded(
  ctx: CommandContext,
  settings: CancelSettings,
  deps: QueueDeps,
  queues: Queues,
  finisher: BatchFinisher,
): Promise<"ended" | "left"> {
  const { batchId } = settings;
  const { batches } = deps.ledger;
  const say = (line: string) => ctx.io.stderr.write(line + "\n");
  let told = -1;
  for (;;) {
    const now = await deps.guard(batches.get(batchId));
    if (!now) throw new UsageError(`batch ${batchId} disappeared from Redis while being canceled`);
    if (now.endedAt !== null) return "ended"; // a worker recorded the last run in flight and ended it
    const end = endOf(now);
    if (end) {
      await finisher.end(batchId, end);
      return "ended";
    }
    const workers = await liveWorkers(queues);
    if (workers === 0) {
      // Nobody will record the runs in flight: end now; their run ids stay for a re-run.
      say(
        `No worker holds the ${now.inFlight} rows in flight; ending the batch now ` +
          "(a re-run resumes their runs).",
      );
      await finisher.end(batchId, { state: "canceled", reason: CANCELED_REASON });
      return "ended";
    }
    if (settings.noWait) {
      say(
        `${now.inFlight} runs in flight finish on their own (they are billed anyway); ` +
          "the batch then ends canceled.",
      );
      return "left";
    }
    if (now.inFlight !== told) {
      say(`Waiting for ${now.inFlight} runs in flight to finish (they are billed anyway)…`);
      told = now.inFlight;
    }
    await sleep(250, undefined, ctx.io.signal ? { signal: ctx.io.signal } : undefined).catch(() => undefined);
    if (ctx.io.signal?.aborted) {
      say(`Stopped waiting; the batch still ends canceled once its runs in flight finish.`);
      return "left";
    }
  }
}

export async function cancel(ctx: CommandContext, settings: CancelSettings): Promise<void> {
  const { batchId } = settings;
  const deps = await openQueueDeps(ctx.io, { redisTimeoutMs: settings.redisTimeoutMs });
  const queues = createQueues(deps.redis, deps.keys, batchId);
  const { batches } = deps.ledger;
  const finisher = createBatchFinisher({
    batches,
    pool: createBatchPool(deps.redis, deps.keys),
    logger: deps.logger,
    onBatchEnd: endBatchHandler(deps),
  });
  const say = (line: string) => ctx.io.stderr.write(line + "\n");
  try {
    const record = await deps.guard(batches.get(batchId));
    if (!record)
      throw new UsageError(
        `no batch "${batchId}" in Redis at this REDIS_URL; list batches with \`runflow-batch status\``,
      );
    if (record.endedAt !== null) {
      say(`Batch ${batchId} already ended (${record.state}); nothing to cancel.`);
      return;
    }
    await deps.guard(batches.requestCancel(batchId));
    // Rows waiting (delayed, held at the cap, slowed by a rate limit) come up now: a row without a
    // run is refused by the ledger at once (recorded nowhere, listed canceled), a row with one resumes.
    await deps.guard(
      Promise.all(
        [queues.generate, queues.edit].flatMap((queue) => [queue.promoteJobs(), queue.removeRateLimitKey()]),
      ),
    );
    say(`Canceling batch ${batchId}: nothing more is submitted.`);
    if ((await untilEnded(ctx, settings, deps, queues, finisher)) === "left") return;
    await finisher.idle();
    // Ended by a worker: its reports are being written; say so once they are there.
    const last = await waitForReports(batchId, deps);
    const notDone = Math.max(0, last.submission.rows - last.succeeded - last.failed);
    ctx.io.stdout.write(
      `batch ${batchId}: ${last.state}; ${last.succeeded} succeeded, ${last.failed} failed, ` +
        `${notDone} canceled; ` +
        `reports in ${last.submission.out}\n`,
    );
  } finally {
    await queues.close();
    await deps.close();
  }
}
