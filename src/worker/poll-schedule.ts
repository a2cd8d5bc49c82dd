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
}

const { firstPollShare, ...DEFAULT_STEPS } = POLL_DEFAULTS;
export const DEFAULT_POLL: Omit<PollSchedule, "initialMs"> = DEFAULT_STEPS;

/** Schedule for a model whose runs typically take `typicalMs` (runflow-api.md suggests 2–3 s polls). */
export function scheduleFor(typicalMs: number, overrides: Partial<PollSchedule> = {}): PollSchedule {
  return { ...DEFAULT_POLL, initialMs: Math.round(typicalMs * firstPollShare), ...overrides };
}

/** Delay before poll number `attempt` (0 = the first GET after creating the run). */
export function pollDelay(schedule: PollSchedule, attempt: number, random: () => number = Math.random): number {
  if (attempt === 0) {
    // The first look is only ever early: a run that ends on time is seen at once, never seconds late.
    return Math.max(0, Math.round(schedule.initialMs * (1 - schedule.jitter * random())));
  }
  const nominal = Math.min(schedule.maxMs, schedule.intervalMs * schedule.factor ** (attempt - 1));
  const spread = nominal * schedule.jitter;
  return Math.max(0, Math.round(nominal - spread + random() * 2 * spread));
}

/**
 * With callbacks, polling is only the fallback for a lost callback: the first look well after the
 * model usually finishes, then every half minute or more, so a row costs one GET (the read a
 * callback prompts) and not a poll sequence.
 */
export function callbackFallbackFor(typicalMs: number, overrides: Partial<PollSchedule> = {}): PollSchedule {
  return { initialMs: Math.max(3 * typicalMs, 30_000), intervalMs: 30_000, factor: 1.5, maxMs: 120_000, jitter: 0.2, ...overrides };
}
