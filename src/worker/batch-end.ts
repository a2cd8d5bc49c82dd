/**
 * The end of a batch, owned by whichever process records rows: after a row is recorded (or
 * held by the cap, or refused because the batch is being canceled), the worker looks whether the
 * batch has ended; the one process whose claim wins (ledger finish-batch.lua) logs one line with
 * the totals, takes the batch out of its binding's pool when nothing more will happen to it, and
 * hands the end to `onBatchEnd` (the command: reports into the batch's directory, notification).
 */
import type { BatchRecord, FinalState } from "../ledger/batch-record.js";
import type { BatchRecords } from "../ledger/batch-records.js";
import type { BatchPool } from "../ledger/pool.js";
import { formatUsd } from "../core/money.js";
import type { Logger } from "../log/logger.js";

export interface BatchEnd {
  readonly state: FinalState;
  /** Why, when that is not plain from the state (canceled, gave up). */
  readonly reason: string | null;
}

interface BatchEndEvent extends BatchEnd {
  readonly batchId: string;
  /** The record as it ended. */
  readonly record: BatchRecord;
}

/** What the command does when a batch it serves ends: write the reports, notify. Must not throw. */
export type OnBatchEnd = (event: BatchEndEvent) => Promise<void>;

export const CANCELED_REASON = "canceled with `runflow-batch cancel`";

/** How the batch has ended, judged from its record; null while it goes on (or ended already). Pure. */
export function endOf(record: BatchRecord): BatchEnd | null {
  if (record.endedAt !== null) return null;
  const finished = record.succeeded + record.failed;
  // Given up: once the rows that never ran are recorded failed and the runs in flight ended.
  if (record.stopReason !== null) {
    const over = finished >= record.submission.rows || record.inFlight === 0;
    return over ? { state: "failed-rows", reason: record.stopReason } : null;
  }
  if (record.cancelRequestedAt !== null)
    return record.inFlight === 0 ? { state: "canceled", reason: CANCELED_REASON } : null;
  if (finished >= record.submission.rows)
    return { state: record.failed > 0 ? "failed-rows" : "done", reason: null };
  // Blocked with nothing in flight: nothing changes until someone raises the cap.
  if (record.budgetBlocked && record.inFlight === 0 && record.reservedMicros === 0) {
    return { state: "budget", reason: "stopped at the budget cap: raise it with `runflow-batch budget`" };
  }
  return null;
}

/** "Batch b-1 ended: done — 200 rows: 198 succeeded, 2 failed, 0 not done; 230 images; spent $…". */
function totalsLine(record: BatchRecord, end: BatchEnd): string {
  const rows = record.submission.rows;
  const notDone = Math.max(0, rows - record.succeeded - record.failed);
  return (
    `Batch ${record.id} ended: ${end.state}${end.reason ? ` (${end.reason})` : ""} — ${rows} rows: ` +
    `${record.succeeded} succeeded, ${record.failed} failed, ${notDone} not done; ${record.images} images; ` +
    `spent $${formatUsd(record.spentMicros)} of $${formatUsd(record.submission.estimate.micros)} estimated.`
  );
}

export interface BatchFinisher {
  /** Looks whether the batch has ended; if so and this process claims it, ends it. Never throws. */
  check(batchId: string): Promise<void>;
  /** Ends the batch now in `end` (giving up), if nobody ended it before. True when this call ended it. */
  end(batchId: string, end: BatchEnd): Promise<boolean>;
  /** Resolves when every end this finisher started is handled (reports written, notification sent). */
  idle(): Promise<void>;
}

export interface FinisherDeps {
  readonly batches: Pick<BatchRecords, "get" | "finish" | "setReported">;
  readonly pool: Pick<BatchPool, "remove">;
  readonly logger: Logger;
  readonly onBatchEnd: OnBatchEnd;
}

export function createBatchFinisher(deps: FinisherDeps): BatchFinisher {
  const running = new Set<Promise<void>>();
  const track = (work: Promise<void>) => {
    running.add(work);
    void work.finally(() => running.delete(work));
    return work;
  };

  async function claim(batchId: string, end: BatchEnd): Promise<boolean> {
    if (!(await deps.batches.finish(batchId, end.state, end.reason))) return false;
    const record = (await deps.batches.get(batchId)) ?? null;
    if (!record) return true;
    deps.logger.info(
      {
        batch: batchId,
        state: end.state,
        succeeded: record.succeeded,
        failed: record.failed,
        spentUsd: formatUsd(record.spentMicros),
      },
      totalsLine(record, end),
    );
    // A batch stopped at the cap may go on when the cap is raised; any other end is final.
    if (end.state !== "budget")
      await deps.pool.remove(record.submission.binding, batchId).catch(() => undefined);
    await deps
      .onBatchEnd({ batchId, record, ...end })
      .then(() => deps.batches.setReported(batchId))
      .catch((err: unknown) =>
        deps.logger.warn(
          { err, batch: batchId },
          `Batch ${batchId} ended, but writing its reports or notifying failed.`,
        ),
      );
    return true;
  }

  return {
    check(batchId) {
      return track(
        (async () => {
          const record = await deps.batches.get(batchId);
          const end = record ? endOf(record) : null;
          if (end) await claim(batchId, end);
        })().catch((err: unknown) =>
          deps.logger.debug(
            { err, batch: batchId },
            "Could not look whether the batch ended; the next row looks again.",
          ),
        ),
      );
    },
    async end(batchId, end) {
      let won = false;
      await track(claim(batchId, end).then((w) => void (won = w)));
      return won;
    },
    async idle() {
      while (running.size > 0) await Promise.allSettled([...running]);
    },
  };
}
