/**
 * Driving a simulator's manual clock while real work runs against it (a CLI child process, a
 * worker): simulated time moves a step at a time, only as fast as the test itself goes, so runs
 * end, URLs expire and rate limits refill in the order the test sets, however busy the machine.
 */
import { eventually, type EventuallyOptions } from "./eventually.js";
import type { ManualClock } from "./manual-clock.js";

export interface DriveOptions {
  /** Simulated time per step (default 250 ms). */
  readonly stepMs?: number;
  /** Real time between steps (default 50 ms). */
  readonly everyMs?: number;
}

const pause = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** Advances `clock` step by step until `work` settles; returns (or throws) what it settled with. */
export async function advanceWhile<T>(
  clock: ManualClock,
  work: Promise<T>,
  { stepMs = 250, everyMs = 50 }: DriveOptions = {},
): Promise<T> {
  let settled = false;
  const watched = work.finally(() => {
    settled = true;
  });
  const quiet = watched.catch(() => undefined);
  while (!settled) {
    clock.advance(stepMs);
    await Promise.race([quiet, pause(everyMs)]);
  }
  return watched;
}

/** `eventually`, advancing `clock` by one step before each check. */
export function advanceUntil<T>(
  clock: ManualClock,
  check: () => T | undefined | false | Promise<T | undefined | false>,
  options: EventuallyOptions & DriveOptions = {},
): Promise<T> {
  const { stepMs = 250, everyMs = 50, ...rest } = options;
  return eventually(
    () => {
      clock.advance(stepMs);
      return check();
    },
    { intervalMs: everyMs, ...rest },
  );
}
