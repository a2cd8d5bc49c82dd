/**
 * Opening an occurrence's batch once it is decided "start": under the occurrence's lease (a
 * duplicate fire waits for the process opening it), through `start` (the command layer opens the
 * batch and queues its rows, like `submit`). A definite failure records the occurrence as `error`;
 * anything else is thrown for BullMQ to retry, until its last attempt.
 */
import type { BatchRecords } from "../ledger/batch-records.js";
import type { Logger } from "../log/logger.js";
import { batchEnded } from "./batch-ended.js";
import type { OccurrenceTime } from "./occurrence.js";
import type { OccurrenceStore } from "./occurrence-store.js";
import type { Schedule } from "./schedule.js";

interface StartedBatch {
  readonly batchId: string;
  readonly rows: number;
  readonly enqueued: number;
  readonly alreadyDone: number;
  /** Runs the occurrence's plan makes, and what its batch had spent before it (a kept directory's batch). */
  readonly runs?: number;
  readonly spentBeforeMicros?: number;
}

/** Opens the occurrence's batch and queues its rows (schedule/start-occurrence.ts). */
export type StartBatch = (
  schedule: Schedule,
  occurrence: OccurrenceTime,
  batchId: string,
) => Promise<StartedBatch>;

/** Errors no retry can mend (an invalid or missing manifest, a budget refusal): the occurrence is `error`. */
export type IsDefinite = (error: unknown) => boolean;

export interface OpenContext {
  readonly store: OccurrenceStore;
  readonly batches: Pick<BatchRecords, "get">;
  readonly start: StartBatch;
  readonly isDefinite: IsDefinite;
  readonly logger: Logger;
  readonly now: () => number;
}

export interface Opened {
  /** What the start did, when this call started (or finished starting) the batch. */
  readonly started: StartedBatch | null;
  /** Why the start failed, when it did, and the error itself. */
  readonly error: string | null;
  readonly failure?: unknown;
}

/** How long a duplicate fire waits for another process that is opening the same occurrence. */
const LEASE_WAIT_MS = 60_000;

/** Opens the batch (holding the lease); on a definite failure records the occurrence as `error`. */
export async function openOccurrence(
  ctx: OpenContext,
  schedule: Schedule,
  occurrence: OccurrenceTime,
  batchId: string,
  finalAttempt: boolean,
): Promise<Opened> {
  const { store } = ctx;
  const { name } = schedule;
  const result = await store.withLease(name, occurrence.key, LEASE_WAIT_MS, async (): Promise<Opened> => {
    const entry = await store.entry(name, occurrence.key);
    if (!entry || entry.outcome !== "started" || entry.opened_ms !== null)
      return { started: null, error: null };
    const record = await ctx.batches.get(batchId);
    // Ended since this occurrence started: a duplicate fire. (A schedule that keeps one directory
    // up to date finds its batch ended by the previous occurrence: that one it opens again.)
    const endedBefore = record?.endedAt != null && Date.parse(record.endedAt) < (entry.started_ms ?? 0);
    if (record && batchEnded(record) && !endedBefore) return { started: null, error: null };
    try {
      const started = await ctx.start(schedule, occurrence, batchId);
      const opened = {
        opened_ms: ctx.now(),
        runs: started.runs,
        spent_before_micros: started.spentBeforeMicros,
      };
      await store.put(name, { ...entry, ...opened });
      return { started, error: null };
    } catch (error) {
      if (!ctx.isDefinite(error) && !finalAttempt) throw error;
      const reason = error instanceof Error ? error.message : String(error);
      await store.put(name, { ...entry, outcome: "error", reason, batch: null });
      await store.clearCurrent(name, occurrence.key);
      ctx.logger.warn(
        { schedule: name, occurrence: occurrence.key },
        `Schedule ${name}: the occurrence ${occurrence.key} could not start: ${reason}`,
      );
      return { started: null, error: reason, failure: error };
    }
  });
  if (result === null)
    throw new Error(`schedule ${name}: another process is still starting the occurrence ${occurrence.key}`);
  return result;
}
