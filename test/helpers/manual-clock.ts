/**
 * A clock that only moves when a test says so: `advance(ms)` moves time forward and fires every
 * timer that falls due on the way, in due order, each with `now()` at its due time (timers that
 * those timers schedule fire too if they fall inside the step). Implements the simulator's Clock,
 * and its `now` suits any `now: () => number` dependency.
 */
import type { CancelTimer, Clock } from "../../src/simulator/clock.js";

export interface ManualClock extends Clock {
  /** Moves time forward by `ms` (≥ 0), firing the timers that fall due. */
  advance(ms: number): void;
  /** Delays from now of the timers waiting, soonest first (e.g. [1000] = one timer, 1 s away). */
  pending(): number[];
}

/** 2026-05-06T10:00:00.000Z: a whole second, so URL expiry (rounded up to seconds) is exact. */
export const MANUAL_CLOCK_START = Date.UTC(2026, 4, 6, 10, 0, 0);

interface Timer {
  readonly dueMs: number;
  readonly order: number;
  readonly run: () => void;
}

export function manualClock(startMs: number = MANUAL_CLOCK_START): ManualClock {
  let now = startMs;
  let order = 0;
  const timers = new Set<Timer>();

  const nextDue = (untilMs: number): Timer | undefined => {
    let best: Timer | undefined;
    for (const t of timers) {
      if (t.dueMs > untilMs) continue;
      if (!best || t.dueMs < best.dueMs || (t.dueMs === best.dueMs && t.order < best.order)) best = t;
    }
    return best;
  };

  return {
    now: () => now,
    schedule(delayMs, run): CancelTimer {
      const timer: Timer = { dueMs: now + Math.max(0, delayMs), order: (order += 1), run };
      timers.add(timer);
      return () => void timers.delete(timer);
    },
    advance(ms) {
      if (!(ms >= 0)) throw new RangeError(`advance(ms) needs ms ≥ 0, got ${ms}`);
      const target = now + ms;
      for (let timer = nextDue(target); timer !== undefined; timer = nextDue(target)) {
        timers.delete(timer);
        now = Math.max(now, timer.dueMs);
        timer.run();
      }
      now = target;
    },
    pending: () => [...timers].map((t) => t.dueMs - now).sort((a, b) => a - b),
  };
}
