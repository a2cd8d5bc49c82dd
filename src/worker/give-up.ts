/**
 * `--give-up-after DURATION`: a batch that has made no progress for that long *because* Runflow
 * keeps refusing (402 out of credit), rate limiting (429) or failing (5xx) is given up on: its
 * rows that never ran end failed with the reason, and the batch ends failed-rows with its
 * reports. A batch that is only slow (long runs, nothing refused) is never given up. Pure: the
 * caller feeds it the batch's progress and what the worker is blocked by.
 */
import { formatDuration } from "../core/duration.js";

export interface GiveUpWatch {
  /**
   * Notes the batch's progress (rows recorded) at `nowMs`; returns the reason to give up now, or
   * null. `blockedBy` says what is holding the worker up (null: nothing Runflow refuses).
   */
  observe(batchId: string, recorded: number, nowMs: number, blockedBy: string | null): string | null;
  forget(batchId: string): void;
}

export function createGiveUpWatch(afterMs: number): GiveUpWatch {
  const last = new Map<string, { recorded: number; atMs: number }>();
  return {
    observe(batchId, recorded, nowMs, blockedBy) {
      const seen = last.get(batchId);
      if (!seen || recorded !== seen.recorded) {
        last.set(batchId, { recorded, atMs: nowMs });
        return null;
      }
      if (blockedBy === null || nowMs - seen.atMs < afterMs) return null;
      return `gave up after ${formatDuration(afterMs)} without progress (--give-up-after): ${blockedBy}`;
    },
    forget: (batchId) => void last.delete(batchId),
  };
}
