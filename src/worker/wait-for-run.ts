/**
 * Waiting on a run without pinning anything: a timer between GETs, no Redis connection held.
 * A callback (callbacks/) only ends a sleep early: the run is read before anything is believed,
 * so a forged or early callback costs one GET and changes nothing. Transient trouble while
 * polling (5xx, network, 429) only stretches the wait; after too many failures in a row, or a
 * permanent error, it gives up and the caller's retry policy decides.
 *
 * A learning schedule (latency-book.ts) hears what the wait sees: each "not done" answer's age
 * and, at the end, the run's latency — from Runflow's timestamps when it sends them, else the
 * bracket between our last "not done" and first "done" answers. A run ended without a duration
 * from Runflow gets our own clock's (create → first "done" answer).
 */
import { setTimeout as sleep } from "node:timers/promises";
import type { WakeReason } from "../callbacks/wakeups.js";
import { classifyError } from "../runflow/errors.js";
import type { Run, RunflowClient } from "../runflow/types.js";
import type { LatencySample } from "./poll-plan.js";
import { delayAt, pollDelay, type PollSchedule, type RunTrack } from "./poll-schedule.js";

/** Sleeps `ms` for the run, or less when its callback arrives; rejects at shutdown. */
export type RunSleep = (runId: string, ms: number) => Promise<WakeReason>;

export interface WaitOptions {
  /** A function is asked again before every poll: a schedule learned meanwhile applies at once. */
  readonly schedule: PollSchedule | (() => PollSchedule);
  /** Consecutive transient failures tolerated before giving up (the job then retries). */
  readonly maxConsecutiveErrors: number;
  /** Default: a plain timer, stopped by `signal`. */
  readonly sleep?: RunSleep | undefined;
  readonly signal?: AbortSignal | undefined;
  readonly random?: () => number;
  /** This process's clock, ms (default Date.now). */
  readonly now?: () => number;
  /**
   * When the run was created, on `now`'s clock: ages count from it. Default: the wait's start (a
   * run waited on right after its create). Null: unknown (a run resumed after a restart): ages
   * count from the wait's start but teach nothing, and our clock gives no duration.
   */
  readonly createdAtMs?: number | null;
}

function timerSleep(signal: AbortSignal | undefined): RunSleep {
  return async (_runId, ms) => {
    await sleep(ms, undefined, signal ? { signal } : undefined);
    return "timer";
  };
}

/** Re-reads of a schedule that may change soon happen at least this often while sleeping (ms). */
const MIN_RECHECK_MS = 200;

/** Where one wait is: ages (ms since the run was created) and the schedule it follows. */
interface WaitState {
  schedule: PollSchedule;
  /** Age the next GET is due at. */
  due: number;
  /** Age at the last answer "not done" (0 before any). */
  lastPoll: number;
}

export async function waitForRun(client: RunflowClient, runId: string, options: WaitOptions): Promise<Run> {
  const now = options.now ?? Date.now;
  const nap = options.sleep ?? timerSleep(options.signal);
  const random = options.random ?? Math.random;
  const given = options.schedule;
  const current = typeof given === "function" ? given : () => given;
  const origin = options.createdAtMs ?? now();
  const knownOrigin = options.createdAtMs !== null;
  const age = () => now() - origin;
  // Only a run whose creation time is known teaches the book (a resumed one might mislead it).
  const tracker: RunTrack | null = knownOrigin ? (current().track?.(origin) ?? null) : null;
  const mine = (s: PollSchedule): PollSchedule => (s.follow && tracker && !tracker.scout ? s.follow : s);
  const nextDue = (s: PollSchedule, lastPoll: number) =>
    lastPoll === 0 ? delayAt(s, 0, random) : lastPoll + delayAt(s, lastPoll, random);

  /** Sleeps to `state.due`; a schedule that may change is re-read on the way, and `due` re-planned. */
  async function sleepUntilDue(state: WaitState, replan: boolean): Promise<void> {
    for (;;) {
      const left = state.due - age();
      if (left <= 0) return;
      const share = state.schedule.recheckShare;
      const ms = share ? Math.min(left, Math.max(MIN_RECHECK_MS, share * age())) : left;
      if ((await nap(runId, Math.round(ms))) === "callback") return;
      const fresh = mine(current());
      if (replan && fresh !== state.schedule) {
        state.schedule = fresh;
        state.due = nextDue(fresh, state.lastPoll);
      }
    }
  }

  const state: WaitState = { schedule: mine(current()), due: 0, lastPoll: 0 };
  state.due = pollDelay(state.schedule, 0, random); // the first look as planned
  let notDoneAt = 0; // age at which our last "not done" GET was sent
  let errors = 0;
  let ended: LatencySample | null = null;
  try {
    for (let attempt = 0; ; attempt += 1) {
      for (;;) {
        await sleepUntilDue(state, errors === 0);
        const sent = age();
        try {
          const run = await client.getRun(runId);
          errors = 0;
          if (run.terminal) {
            const doneAt = age();
            const exact = run.durationMs; // Runflow's duration_ms, else its timestamps (read-run.ts)
            if (exact !== null) ended = { lowMs: exact, highMs: exact };
            else if (knownOrigin) ended = { lowMs: notDoneAt, highMs: doneAt };
            if (run.durationMs !== null || !knownOrigin) return run;
            return { ...run, durationMs: Math.round(doneAt) };
          }
          notDoneAt = sent;
          tracker?.pending(sent);
          break;
        } catch (error) {
          const decision = classifyError(error);
          errors += 1;
          if (
            errors > options.maxConsecutiveErrors ||
            (decision.kind !== "retry" && decision.kind !== "rate-limited")
          )
            throw error;
          const retryAfter = decision.kind === "rate-limited" ? decision.retryAfterMs : null;
          state.due = age() + (retryAfter ?? pollDelay(current(), attempt + errors, random));
        }
      }
      // Later looks at the current schedule's next planned time after this one.
      state.lastPoll = age();
      state.schedule = mine(current());
      state.due = nextDue(state.schedule, state.lastPoll);
    }
  } finally {
    tracker?.ended(ended);
  }
}
