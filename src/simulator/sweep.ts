/**
 * The simulator's one sweep timer: armed for the earliest end of an unsettled run (and none
 * without one), it settles every run whose end time has passed and purges expired idempotency
 * keys. Runs are also settled before each request (settle), so answers never lag the clock.
 */
import type { CancelTimer, Clock } from "./clock.js";
import type { IdempotencyStore } from "./idempotency.js";
import type { RunStore } from "./run-store.js";

export interface Sweep {
  /** Keeps the timer armed for the earliest end of an unsettled run. */
  arm(): void;
  /** Settles every run whose end time has passed, then re-arms. */
  settle(now: number): void;
  close(): void;
}

export function createSweep(clock: Clock, runs: RunStore, idempotency: IdempotencyStore): Sweep {
  let cancelSweep: CancelTimer | null = null;
  let sweepAt = Infinity;

  function arm(): void {
    const next = runs.nextDueMs();
    if (next !== undefined && cancelSweep !== null && sweepAt <= next) return; // armed early enough
    cancelSweep?.();
    cancelSweep = null;
    sweepAt = Infinity;
    if (next === undefined) return; // nothing left to settle
    sweepAt = next;
    cancelSweep = clock.schedule(next - clock.now(), () => {
      cancelSweep = null;
      sweepAt = Infinity;
      const now = clock.now();
      idempotency.purgeExpired(now);
      settle(now);
    });
  }

  function settle(now: number): void {
    const next = runs.nextDueMs();
    if (next !== undefined && next <= now) runs.settleDue(now);
    arm();
  }

  return {
    arm,
    settle,
    close() {
      cancelSweep?.();
      cancelSweep = null;
    },
  };
}
