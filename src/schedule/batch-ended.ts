/**
 * Whether an occurrence's batch has ended, for the overlap rule. The batch's own state when a
 * worker has ended it (done, failed-rows, budget, canceled); before that, every row recorded
 * with nothing in flight. Pure.
 */
import { FINAL_STATES, type BatchRecord } from "../ledger/batch-record.js";

/** How long a started occurrence whose batch never appeared still counts as starting. */
const STARTING_STALE_MS = 15 * 60_000;

export function batchEnded(record: BatchRecord): boolean {
  if ((FINAL_STATES as readonly string[]).includes(record.state)) return true;
  return record.succeeded + record.failed >= record.submission.rows && record.inFlight === 0;
}

/**
 * An occurrence started at `startedMs` whose batch record is `record` (null: not created yet,
 * or discarded because its start failed): still running?
 */
export function occurrenceRunning(record: BatchRecord | null, startedMs: number, nowMs: number): boolean {
  if (record === null) return nowMs - startedMs < STARTING_STALE_MS;
  return !batchEnded(record);
}
