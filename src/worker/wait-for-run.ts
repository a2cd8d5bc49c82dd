/**
 * Waiting on a run without pinning anything: a timer between GETs, no Redis connection held.
 * A callback (callbacks/) only ends a sleep early: the run is read before anything is believed,
 * so a forged or early callback costs one GET and changes nothing. Transient trouble while
 * polling (5xx, network, 429) only stretches the wait; after too many failures in a row, or a
 * permanent error, it gives up and the caller's retry policy decides.
 */
import { setTimeout as sleep } from "node:timers/promises";
import type { WakeReason } from "../callbacks/wakeups.js";
import { classifyError } from "../runflow/errors.js";
import type { Run, RunflowClient } from "../runflow/types.js";
import { delayAt, pollDelay, type PollSchedule } from "./poll-schedule.js";

/** Sleeps `ms` for the run, or less when its callback arrives; rejects at shutdown. */
export type RunSleep = (runId: string, ms: number) => Promise<WakeReason>;

export interface WaitOptions {
  /** A function is asked again before every poll: a schedule learned meanwhile applies at once. */
  readonly schedule: PollSchedule | (() => PollSchedule);
  /** Consecutive transient failures tolerated before giving up (the job then retries). */
  readonly maxConsecutiveErrors: number;
  /** Default: a plain timer, stopped by `signal`. */
  readonly sleep?: RunSleep;
  readonly signal?: AbortSignal;
  readonly random?: () => number;
}

function timerSleep(signal: AbortSignal | undefined): RunSleep {
  return async (_runId, ms) => {
    await sleep(ms, undefined, signal ? { signal } : undefined);
    return "timer";
  };
}

export async function waitForRun(client: RunflowClient, runId: string, options: WaitOptions): Promise<Run> {
  const nap = options.sleep ?? timerSleep(options.signal);
  const current =
    typeof options.schedule === "function" ? options.schedule : () => options.schedule as PollSchedule;
  const started = Date.now();
  let errors = 0;
  for (let attempt = 0; ; attempt += 1) {
    // The first look as planned; later ones at the current schedule's next planned time.
    let delay =
      attempt === 0
        ? pollDelay(current(), 0, options.random)
        : delayAt(current(), Date.now() - started, options.random);
    for (;;) {
      await nap(runId, delay);
      try {
        const run = await client.getRun(runId);
        errors = 0;
        if (run.terminal) return run;
        break;
      } catch (error) {
        const decision = classifyError(error);
        errors += 1;
        if (
          errors > options.maxConsecutiveErrors ||
          (decision.kind !== "retry" && decision.kind !== "rate-limited")
        )
          throw error;
        delay =
          decision.kind === "rate-limited" && decision.retryAfterMs !== null
            ? decision.retryAfterMs
            : pollDelay(current(), attempt + errors, options.random);
      }
    }
  }
}
