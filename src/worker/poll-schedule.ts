/**
 * When to look at a run again. The first look comes about when the model usually finishes, then
 * the gaps grow geometrically up to a ceiling, each with jitter so thousands of runs started
 * together do not poll in lockstep. Pure.
 */
import { POLL_DEFAULTS } from "../config/defaults.js";
import { planFor, type LatencySample, type PlanGoals } from "./poll-plan.js";
export interface PollSchedule {
  /** Delay before the first GET. */
  readonly initialMs: number;
  /** Delay before the second GET; later gaps grow by `factor`. */
  readonly intervalMs: number;
  readonly factor: number;
  readonly maxMs: number;
  /** 0.2 → each delay is drawn from [80 %, 120 %] of its nominal value. */
  readonly jitter: number;
  /** Polls after the first kept at `intervalMs` before the gaps start to grow (default 0). */
  readonly tightPolls?: number;
  /**
   * Planned poll times (ms since the run was created, ascending), learned from the model's runs;
   * past the last, the gaps above follow (`intervalMs` growing by `factor`).
   */
  readonly times?: readonly number[];
  /**
   * A learning schedule's link to its model's latency book: a run starting to wait calls it once
   * with when it was created (this process's clock) and reports what it sees (latency-book.ts).
   * Absent for fixed schedules.
   */
  readonly track?: (createdAtMs: number) => RunTrack;
  /** The schedule of runs that do not scout (RunTrack.scout false); absent: the same for all. */
  readonly follow?: PollSchedule;
  /**
   * While sleeping toward its next poll, a run re-reads the schedule at least every this share of
   * its age (and 200 ms): set on schedules that are about to change (nothing known yet, or a plan
   * that extrapolates), so a better one reaches runs that planned a long sleep.
   */
  readonly recheckShare?: number;
}

/** What one waiting run tells its model's latency book. */
export interface RunTrack {
  /** The run was not done at this age (ms since it was created). */
  pending(ageMs: number): void;
  /** The run ended: what is known of its latency (null: nothing usable), once. */
  ended(sample: LatencySample | null): void;
  /** While nothing is known, this run looks early and often (the schedule's own times, not `follow`). */
  readonly scout: boolean;
}

const { firstPollShare, ...DEFAULT_STEPS } = POLL_DEFAULTS;
const DEFAULT_POLL: Omit<PollSchedule, "initialMs"> = DEFAULT_STEPS;

/** Schedule for a model whose runs typically take `typicalMs` (docs/runflow-api.md suggests 2–3 s polls). */
export function scheduleFor(typicalMs: number, overrides: Partial<PollSchedule> = {}): PollSchedule {
  return { ...DEFAULT_POLL, initialMs: Math.round(typicalMs * firstPollShare), ...overrides };
}

/** Delay before poll number `attempt` (0 = the first GET after creating the run). */
export function pollDelay(
  schedule: PollSchedule,
  attempt: number,
  random: () => number = Math.random,
): number {
  if (attempt === 0) {
    // The first look is only ever early: a run that ends on time is seen at once, never seconds late.
    return Math.max(0, Math.round(schedule.initialMs * (1 - schedule.jitter * random())));
  }
  const growth = Math.max(0, attempt - 1 - (schedule.tightPolls ?? 0));
  const nominal = Math.min(
    Math.max(schedule.maxMs, schedule.intervalMs),
    schedule.intervalMs * schedule.factor ** growth,
  );
  const spread = nominal * schedule.jitter;
  return Math.max(0, Math.round(nominal - spread + random() * 2 * spread));
}

/**
 * With callbacks, polling is only the fallback for a lost callback: the first look well after the
 * model usually finishes, then every half minute or more, so a row costs one GET (the read a
 * callback prompts) and not a poll sequence.
 */
export function callbackFallbackFor(typicalMs: number, overrides: Partial<PollSchedule> = {}): PollSchedule {
  return {
    initialMs: Math.max(3 * typicalMs, 30_000),
    intervalMs: 30_000,
    factor: 1.5,
    maxMs: 120_000,
    jitter: 0.2,
    ...overrides,
  };
}

/**
 * A model nothing is known of (no run of it seen by this Redis yet). A few runs scout: they look
 * early, at 2 s (the docs suggest polling every 2–3 s; some models finish that fast), then every
 * tenth of their age, so the first run to end is seen within 10 % of its latency, whatever it is.
 * The other runs follow (FOLLOW_POLL): they look rarely, and re-read the schedule while they
 * sleep, so the plan the scouts' first ended runs teach reaches them at once.
 */
export const COLD_POLL: PollSchedule = {
  initialMs: 2_000,
  intervalMs: 200,
  factor: 1.1,
  maxMs: 10_000,
  jitter: 0.05,
};

/** Runs that do not scout, while nothing is known: sparse looks, and the schedule re-read often. */
export const FOLLOW_POLL: PollSchedule = {
  initialMs: 10_000,
  intervalMs: 10_000,
  factor: 1.5,
  maxMs: 30_000,
  jitter: 0.1,
  recheckShare: 0.1,
};

/** Runs of a model that scout at once while nothing is known of it. */
export const SCOUTS = 8;

/**
 * Ended runs of a model below which its plan is provisional: scouts keep looking, the other runs
 * re-read the plan while they sleep (latency-book.ts).
 */
export const LEARN_AFTER = 8;

/**
 * What a learned plan aims at (issue 19: at most 2.5 GETs per run at 4–6 s and 3.0 at 15–40 s, a
 * mean lag within 10 % of the mean latency): the fewest GETs whose lag is within 6 % of the mean
 * latency, but never more than 2.9 GETs per run — past that, the least lag 2.9 GETs can give (on
 * latencies spread uniformly over 15–40 s, about 7.5 % planned; a plan made from 256 runs'
 * latencies realises ~2.8 GETs at ~9 % on the true spread). Narrow spreads need far fewer: one
 * GET at 26–29 s.
 */
const PLAN_GOALS: PlanGoals = { lagShare: 0.06, maxGets: 2.9 };

/** Past a plan's last time, runs are looked at every this share of their age. */
const TAIL_SHARE = 0.15;

/**
 * The schedule ended runs' latencies teach (planFor: the poll times with the fewest GETs for the
 * lag aimed at). A run that outlives every planned time is then looked at every 15 % of its age
 * (up to 10 s): past what was seen, its end is a guess. Null when no run ended.
 */
export function learnedSchedule(
  samples: readonly LatencySample[],
  goals: PlanGoals = PLAN_GOALS,
): PollSchedule | null {
  if (samples.length === 0) return null;
  const plan = planFor(samples, goals);
  const last = plan.times.at(-1) ?? 0;
  const gap = Math.max(100, Math.round(TAIL_SHARE * last));
  return {
    initialMs: plan.times[0] ?? gap,
    intervalMs: gap,
    factor: 1 + TAIL_SHARE,
    maxMs: Math.max(gap, DEFAULT_POLL.maxMs),
    jitter: 0.02,
    times: plan.times,
  };
}

/**
 * The schedule's planned poll times in order, each with its jitter window (± ms) and how close
 * after a poll it counts as done already (`skip`, ms before it).
 */
function* plannedTimes(schedule: PollSchedule): Generator<{ at: number; window: number; skip: number }> {
  const times = schedule.times ?? [];
  let at = 0;
  for (const t of times) {
    // A plan learned while the run waited may place a time just after the run's last poll: a
    // sixth of its gap or closer counts as polled, so a re-plan does not cost an extra GET.
    yield { at: t, window: (t - at) * schedule.jitter, skip: at === 0 ? t * schedule.jitter : (t - at) / 6 };
    at = t;
  }
  if (times.length === 0) {
    at = schedule.initialMs;
    yield { at, window: at * schedule.jitter, skip: at * schedule.jitter };
  }
  // Past the plan (or without one): gaps from intervalMs, growing by factor after tightPolls.
  const ceiling = Math.max(schedule.maxMs, schedule.intervalMs);
  for (let n = 1; n < 10_000; n += 1) {
    const grown = Math.max(0, n - 1 - (schedule.tightPolls ?? 0));
    const next = Math.min(ceiling, schedule.intervalMs * schedule.factor ** grown);
    at += next;
    yield { at, window: next * schedule.jitter, skip: next * schedule.jitter };
  }
}

/**
 * Delay from `elapsedMs` (since the run was created) to the schedule's next planned poll, with
 * its jitter: polls keep to the schedule's timeline even when the schedule changed meanwhile
 * (a schedule learned while the run was waiting applies from where the run is). A planned time
 * counts as polled once the run is within its jitter of it, so a poll that jitter made early is
 * not followed by another for the same planned time.
 */
export function delayAt(
  schedule: PollSchedule,
  elapsedMs: number,
  random: () => number = Math.random,
): number {
  for (const { at, window, skip } of plannedTimes(schedule)) {
    if (at - Math.max(window, skip, 1) > elapsedMs)
      return Math.max(0, Math.round(at - elapsedMs - window + random() * 2 * window));
  }
  return Math.max(0, schedule.maxMs);
}
