/**
 * Quiet logs for conditions that repeat: rate limiting, no credit, Redis down, runs that cannot
 * be read. One line when the condition starts, a summary every `summaryEveryMs` while it lasts
 * ("rate limited: 312 requests delayed in the last 30 s"), and one line when it ends — never a
 * line per occurrence. An episode ends when told (`end()`: Redis is back, a run was accepted) or,
 * for conditions nobody announces the end of, after `quietMs` without an occurrence.
 * Time comes from an injectable clock, so tests drive it instead of sleeping.
 */
import type { Logger } from "./logger.js";

/** The clock episodes use; `systemTimers()` in production, a manual clock in tests. */
export interface EpisodeClock {
  now(): number;
  /** Runs `run` once, `delayMs` from now; returns a function that cancels it. */
  schedule(delayMs: number, run: () => void): () => void;
}

/** Date.now() and setTimeout; the timers never keep the process alive. */
export function systemTimers(): EpisodeClock {
  return {
    now: () => Date.now(),
    schedule(delayMs, run) {
      const timer = setTimeout(run, Math.max(0, delayMs));
      timer.unref();
      return () => clearTimeout(timer);
    },
  };
}

type EpisodeLevel = "info" | "warn" | "error";

export interface EpisodeOptions {
  readonly logger: Logger;
  /** Level of the start and summary lines; the end line is info. */
  readonly level?: EpisodeLevel;
  /** The start line; `detail` is what the first occurrence carried (a reason, a delay). */
  readonly started: (detail: EpisodeDetail) => string;
  /** A summary line: `count` occurrences in the last `windowMs`. */
  readonly summary: (count: number, windowMs: number, detail: EpisodeDetail) => string;
  /** The end line: `total` occurrences over `durationMs`. */
  readonly ended: (total: number, durationMs: number) => string;
  /** Default 30 s. */
  readonly summaryEveryMs?: number;
  /** Ends the episode after this long without an occurrence; null: only `end()` ends it. Default null. */
  readonly quietMs?: number | null;
  readonly clock?: EpisodeClock;
}

/** What an occurrence carries into the log lines: a reason, a delay, an address. */
export type EpisodeDetail = Readonly<Record<string, unknown>>;

export interface Episode {
  /** One more occurrence; starts the episode (and logs it) when none is going on. */
  occurred(detail?: EpisodeDetail): void;
  /** The condition is over: logs the end line if an episode was going on. */
  end(): void;
  /** True while an episode is going on. */
  readonly ongoing: boolean;
  /** When the ongoing episode started (ms), or null. */
  readonly since: number | null;
  /** Stops the timers without logging (shutdown). */
  close(): void;
}

const EPISODE_SUMMARY_MS = 30_000;

export function createEpisode(options: EpisodeOptions): Episode {
  const clock = options.clock ?? systemTimers();
  const every = options.summaryEveryMs ?? EPISODE_SUMMARY_MS;
  const quietMs = options.quietMs ?? null;
  const level = options.level ?? "warn";
  let since: number | null = null;
  let last = 0;
  let total = 0;
  let inWindow = 0;
  let detail: EpisodeDetail = {};
  let cancel: (() => void) | null = null;

  const log = (lvl: EpisodeLevel, fields: EpisodeDetail, message: string) =>
    options.logger[lvl](fields, message);

  const stopTimer = () => {
    cancel?.();
    cancel = null;
  };

  const finish = (at: number) => {
    if (since === null) return;
    stopTimer();
    log("info", { occurrences: total, durationMs: at - since }, options.ended(total, at - since));
    since = null;
    total = 0;
    inWindow = 0;
  };

  const tick = () => {
    cancel = null;
    if (since === null) return;
    const now = clock.now();
    if (quietMs !== null && now - last >= quietMs) {
      finish(last);
      return;
    }
    if (inWindow > 0)
      log(
        level,
        { ...detail, occurrences: inWindow, windowMs: every },
        options.summary(inWindow, every, detail),
      );
    inWindow = 0;
    arm();
  };

  const arm = () => {
    if (cancel === null) cancel = clock.schedule(every, tick);
  };

  return {
    occurred(given = {}) {
      const now = clock.now();
      last = now;
      detail = given;
      total += 1;
      if (since === null) {
        since = now;
        log(level, given, options.started(given));
        arm();
        return;
      }
      inWindow += 1;
    },
    end() {
      finish(clock.now());
    },
    get ongoing() {
      return since !== null;
    },
    get since() {
      return since;
    },
    close() {
      stopTimer();
      since = null;
    },
  };
}
