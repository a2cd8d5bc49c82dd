/**
 * The simulator's time. Every "now" and every timer of the simulated API — run lifecycle, the
 * sweep that settles runs, the rate limit, URL expiry, idempotency key expiry, callback retries
 * and timeouts, download delays — comes from one Clock, so a test can drive time (a manual clock
 * whose `advance(ms)` fires the timers that fall due) instead of sleeping. Socket housekeeping
 * (keep-alive timeouts, the grace period of close()) stays on real time: it is not API behaviour.
 */

/** Cancels a scheduled timer; calling it after the timer ran (or twice) does nothing. */
export type CancelTimer = () => void;

export interface Clock {
  /** Milliseconds since the Unix epoch. */
  now(): number;
  /** Runs `run` once, `delayMs` from now (negative counts as 0). */
  schedule(delayMs: number, run: () => void): CancelTimer;
}

/** Date.now() and setTimeout; its timers never keep the process alive (the server does). */
export function systemClock(): Clock {
  return {
    now: () => Date.now(),
    schedule(delayMs, run) {
      const timer = setTimeout(run, Math.max(0, delayMs));
      timer.unref();
      return () => clearTimeout(timer);
    },
  };
}

/**
 * `clock` whose `now()` never goes backwards: a wall clock stepped back reads as standing still,
 * so a run that has ended stays ended and its cost stays billed.
 */
export function monotonic(clock: Clock): Clock {
  let last = -Infinity;
  return {
    now() {
      last = Math.max(last, clock.now());
      return last;
    },
    schedule: (delayMs, run) => clock.schedule(delayMs, run),
  };
}
