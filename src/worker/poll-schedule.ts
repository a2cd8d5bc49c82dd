/**
 * When to look at a run again. The first look comes about when the model usually finishes, then
 * the gaps grow geometrically up to a ceiling, each with jitter so thousands of runs started
 * together do not poll in lockstep. Pure.
 */
import { POLL_DEFAULTS } from "../config/defaults.js";
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
}

const { firstPollShare, ...DEFAULT_STEPS } = POLL_DEFAULTS;
export const DEFAULT_POLL: Omit<PollSchedule, "initialMs"> = DEFAULT_STEPS;

/** Schedule for a model whose runs typically take `typicalMs` (runflow-api.md suggests 2–3 s polls). */
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

/** Fewest runs of a model seen before their latencies replace the model's typical duration. */
export const LEARN_AFTER = 8;
/** Mean detection lag aimed at, as a share of the mean latency (the goal is ≤ 10 %). */
export const TARGET_LAG = 0.07;

const quantile = (sorted: readonly number[], q: number): number =>
  sorted[Math.min(sorted.length - 1, Math.max(0, Math.floor(q * (sorted.length - 1))))] as number;

/**
 * A schedule learned from latencies this worker has seen for one model (ms, any order): the
 * first look at a low quantile, then even, tight gaps through the observed range, then growing
 * gaps for the stragglers. Of the candidate starts (5th–60th percentile) and gaps (1–30 % of the
 * median), it takes the one with the fewest GETs per run whose mean lag on these latencies is at
 * most TARGET_LAG of their mean; if none meets it, the one with the least lag. Null with too few.
 */
export function learnedSchedule(latencies: readonly number[]): PollSchedule | null {
  if (latencies.length < LEARN_AFTER) return null;
  const sorted = [...latencies].sort((a, b) => a - b);
  const median = quantile(sorted, 0.5);
  const mean = sorted.reduce((sum, ms) => sum + ms, 0) / sorted.length;
  const high = quantile(sorted, 0.99);
  let best: { start: number; gap: number; polls: number; lag: number } | null = null;
  for (const q of [0.05, 0.1, 0.15, 0.2, 0.3, 0.4, 0.5, 0.6]) {
    const start = quantile(sorted, q);
    for (const share of [0.01, 0.02, 0.03, 0.05, 0.075, 0.1, 0.15, 0.2, 0.3]) {
      const gap = Math.max(100, share * median);
      let polls = 0;
      let lag = 0;
      for (const ms of sorted) {
        const after = ms <= start ? 0 : Math.ceil((ms - start) / gap);
        polls += 1 + after;
        lag += start + after * gap - ms;
      }
      const candidate = { start, gap, polls: polls / sorted.length, lag: lag / sorted.length };
      const meets = (c: typeof candidate) => c.lag <= TARGET_LAG * mean;
      if (
        best === null ||
        (meets(candidate) && (!meets(best) || candidate.polls < best.polls)) ||
        (!meets(candidate) && !meets(best) && candidate.lag < best.lag)
      ) {
        best = candidate;
      }
    }
  }
  if (best === null) return null;
  const tightPolls = Math.max(0, Math.ceil((high - best.start) / best.gap));
  const gap = Math.round(best.gap);
  return {
    initialMs: Math.round(best.start),
    intervalMs: gap,
    factor: 1.5,
    maxMs: Math.max(gap, DEFAULT_POLL.maxMs),
    jitter: 0.02,
    tightPolls,
  };
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
  const gap = (attempt: number) =>
    Math.min(
      Math.max(schedule.maxMs, schedule.intervalMs),
      schedule.intervalMs * schedule.factor ** Math.max(0, attempt - 1 - (schedule.tightPolls ?? 0)),
    );
  let at = schedule.initialMs;
  let window = schedule.initialMs * schedule.jitter;
  for (let attempt = 1; at - window <= elapsedMs && attempt < 10_000; attempt += 1) {
    const next = gap(attempt);
    at += next;
    window = next * schedule.jitter;
  }
  const nominal = at - elapsedMs;
  return Math.max(0, Math.round(nominal - window + random() * 2 * window));
}
