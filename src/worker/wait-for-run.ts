/**
 * Waiting on a run without pinning anything: a timer between GETs, no Redis connection held.
 * Transient trouble while polling (5xx, network, 429) only stretches the wait; after too many
 * failures in a row, or a permanent error, it gives up and the caller's retry policy decides.
 */
import { setTimeout as sleep } from "node:timers/promises";
import { classifyError } from "../runflow/errors.js";
import type { Run, RunflowClient } from "../runflow/types.js";
import { pollDelay, type PollSchedule } from "./poll-schedule.js";

export interface WaitOptions {
  readonly schedule: PollSchedule;
  /** Consecutive transient failures tolerated before giving up (the job then retries). */
  readonly maxConsecutiveErrors: number;
  readonly signal?: AbortSignal;
  readonly random?: () => number;
}

export async function waitForRun(client: RunflowClient, runId: string, options: WaitOptions): Promise<Run> {
  let errors = 0;
  for (let attempt = 0; ; attempt += 1) {
    let delay = pollDelay(options.schedule, attempt, options.random);
    for (;;) {
      await sleep(delay, undefined, options.signal ? { signal: options.signal } : undefined);
      try {
        const run = await client.getRun(runId);
        errors = 0;
        if (run.terminal) return run;
        break;
      } catch (error) {
        const decision = classifyError(error);
        errors += 1;
        if (errors > options.maxConsecutiveErrors || (decision.kind !== "retry" && decision.kind !== "rate-limited")) throw error;
        delay = decision.kind === "rate-limited" && decision.retryAfterMs !== null ? decision.retryAfterMs : pollDelay(options.schedule, attempt + errors, options.random);
      }
    }
  }
}
