/**
 * Feeding a batch's queues from its row store (ledger/row-store.ts), a window at a time: Redis
 * holds at most about `window` waiting jobs per batch however long the manifest, and any process
 * that serves the batch (run, a worker, serve) can feed it — a submitted batch is fed by its
 * workers after `submit` has gone. A cursor on the batch record hands out each stretch of rows
 * once (HINCRBY), so feeders on several machines never queue the same stretch twice; a job id per
 * row attempt makes a repeat a no-op anyway. Rows already recorded are passed over.
 *
 * Nothing is fed while the budget cap blocks the batch or a cancel stops it; a batch given up on
 * is fed on, so its rows pass through the workers and are recorded failed with the reason.
 */
import type { Ledger } from "../ledger/ledger.js";
import { jobIdFor, queueFor, type QueueName } from "../ledger/keys.js";
import type { KeyedRow } from "../ledger/row-store.js";
import type { RowJobData } from "./job-data.js";
import { jobOptions, type Queues, type RetryOptions } from "./queues.js";

export interface FeederOptions {
  readonly queues: Queues;
  readonly ledger: Pick<Ledger, "batches" | "results" | "rows" | "rowStore">;
  readonly batchId: string;
  readonly retry: RetryOptions;
  /** Rows kept waiting in the queues ahead of the workers. */
  readonly window: number;
  /** Rows handed out per cursor step (default 500). */
  readonly chunkSize?: number;
}

interface FeedResult {
  /** Jobs added by this call. */
  readonly queued: number;
  /** Every row of the batch has been handed out (until the cursor is reset by a re-run or a retry). */
  readonly exhausted: boolean;
}

export interface Feeder {
  /** Queues rows until `window` of them wait, the rows run out, or the batch may not be fed now. */
  top(): Promise<FeedResult>;
}

const WAITING_STATES = ["waiting", "prioritized", "delayed"] as const;

export function createFeeder(o: FeederOptions): Feeder {
  const { ledger, batchId, queues } = o;
  const chunkSize = Math.max(1, Math.min(o.chunkSize ?? 500, o.window));

  const waiting = async (): Promise<number> => {
    const counts = await Promise.all(
      [queues.generate, queues.edit].map((q) => q.getJobCounts(...WAITING_STATES)),
    );
    return counts.reduce((sum, c) => sum + Object.values(c).reduce((a, b) => a + b, 0), 0);
  };

  /** Queues the rows among these that are not recorded yet. */
  const enqueue = async (rows: readonly KeyedRow[]): Promise<number> => {
    const keys = rows.map((r) => r.key);
    const [done, attempts] = await Promise.all([
      ledger.results.terminalRows(batchId, keys),
      ledger.rows.attempts(batchId, keys),
    ]);
    const byQueue: Record<QueueName, { data: RowJobData; model: string }[]> = { generate: [], edit: [] };
    rows.forEach(({ key, row }, i) => {
      if (done[i]) return;
      const data = { batch: batchId, key, attempt: attempts[i] ?? 1, contentSha: row.content_sha };
      byQueue[queueFor(row.model)].push({ data, model: row.model });
    });
    let queued = 0;
    for (const name of ["generate", "edit"] as const) {
      const jobs = byQueue[name];
      if (jobs.length === 0) continue;
      await queues[name].addBulk(
        jobs.map(({ data, model }) => ({
          name: model,
          data,
          opts: jobOptions(jobIdFor(batchId, data.key, data.attempt, data.contentSha), o.retry),
        })),
      );
      queued += jobs.length;
    }
    return queued;
  };

  return {
    async top() {
      let queued = 0;
      for (;;) {
        const batch = await ledger.batches.get(batchId);
        if (!batch || batch.budgetBlocked) return { queued, exhausted: false };
        // Canceled: nothing more. Given up on (a stop reason): the rest go through and end failed.
        if (batch.cancelRequestedAt !== null && batch.stopReason === null)
          return { queued, exhausted: false };
        if (batch.fed >= batch.submission.rows) return { queued, exhausted: true };
        const room = o.window - (await waiting());
        if (room <= 0) return { queued, exhausted: false };
        const n = Math.min(room, chunkSize);
        const end = await ledger.batches.claimFeed(batchId, n);
        const keys = await ledger.rowStore.keysAt(batchId, end - n, n);
        if (keys.length > 0) {
          const rows = await ledger.rowStore.get(batchId, keys);
          queued += await enqueue(keys.flatMap((key, i) => (rows[i] ? [{ key, row: rows[i] }] : [])));
        }
        if (keys.length < n) return { queued, exhausted: true };
      }
    },
  };
}
