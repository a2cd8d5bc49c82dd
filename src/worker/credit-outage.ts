/**
 * "Out of credit" is said once per outage, loudly, not once per row: the first 402 of an outage
 * reports it, later ones stay quiet (or go into the outage's periodic summary when an episode
 * logs it), and the outage ends when Runflow accepts a run again. Each worker owns one.
 */
import type { Episode, EpisodeDetail } from "../log/episodes.js";

export interface CreditOutage {
  /** Runflow refused a run for lack of credit; true when this starts an outage (say so). */
  refused(detail?: EpisodeDetail): boolean;
  /** Runflow accepted a run: the credit is back, and the next refusal starts a new outage. */
  accepted(): void;
  /** When the ongoing outage started (ms since the epoch), or null. */
  since(): number | null;
}

/** With `episode`, the outage is logged by it (start, summaries, end); without, the caller says it. */
export function createCreditOutage(episode?: Episode, now: () => number = Date.now): CreditOutage {
  let started: number | null = null;
  return {
    refused(detail = {}) {
      const starts = started === null;
      if (starts) started = now();
      episode?.occurred(detail);
      return starts;
    },
    accepted() {
      if (started === null) return;
      started = null;
      episode?.end();
    },
    since: () => started,
  };
}
