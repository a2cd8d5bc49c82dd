/**
 * The repeated conditions a worker meets, each logged as an episode (log/episodes.ts): once when
 * it starts, a summary every 30 s while it lasts, once when it ends — instead of a line per row.
 * Each worker owns one set.
 */
import { formatDuration } from "../core/duration.js";
import { createEpisode, type Episode, type EpisodeClock } from "../log/episodes.js";
import type { Logger } from "../log/logger.js";

export interface RowEpisodes {
  /** 429 on create: the queue slows down. */
  readonly rateLimited: Episode;
  /** 402: submitting pauses until Runflow accepts a run again. */
  readonly outOfCredit: Episode;
  /** Runs that exist but cannot be read right now (poll errors): looked at again later. */
  readonly unreadableRuns: Episode;
  /** 5xx and network errors on create: the row is retried with backoff. */
  readonly transient: Episode;
  /** This machine cannot write images (ENOENT, EACCES, ENOSPC): rows keep their runs and wait. */
  readonly localWrite: Episode;
  /** Stops every summary timer (shutdown). */
  close(): void;
}

const reasonOf = (detail: Readonly<Record<string, unknown>>): string =>
  typeof detail.reason === "string" ? detail.reason : "no reason given";

/** A write to an S3 prefix failed (outdir/s3-store.ts), not one to this machine's disk. */
const inObjectStorage = (detail: Readonly<Record<string, unknown>>) => reasonOf(detail).includes(" s3://");

export function createRowEpisodes(logger: Logger, clock?: EpisodeClock): RowEpisodes {
  const timing = clock ? { clock } : {};
  const rateLimited = createEpisode({
    logger,
    ...timing,
    quietMs: 30_000,
    started: () => "Runflow is rate limiting: requests are delayed and the queue slows down.",
    summary: (n, ms) => `rate limited: ${n} requests delayed in the last ${formatDuration(ms)}`,
    ended: (n, ms) => `No longer rate limited (${n} requests delayed over ${formatDuration(ms)}).`,
  });
  const outOfCredit = createEpisode({
    logger,
    ...timing,
    level: "error",
    started: (d) =>
      `Runflow account is out of credit (${reasonOf(d)}); submitting pauses until the balance allows.`,
    summary: (n, ms) =>
      `out of credit: ${n} runs refused in the last ${formatDuration(ms)}; ` +
      "submitting stays paused (top up the account)",
    ended: (n, ms) => `Credit is back: Runflow accepts runs again (${n} refused over ${formatDuration(ms)}).`,
  });
  const unreadableRuns = createEpisode({
    logger,
    ...timing,
    quietMs: 60_000,
    started: (d) =>
      `Cannot read some runs from Runflow right now (${reasonOf(d)}); looking at them again later.`,
    summary: (n, ms) => `cannot read runs: ${n} rows will look again, in the last ${formatDuration(ms)}`,
    ended: (n, ms) => `Runs can be read again (${n} rows looked again later over ${formatDuration(ms)}).`,
  });
  const transient = createEpisode({
    logger,
    ...timing,
    quietMs: 60_000,
    started: (d) => `Runflow answers with transient errors (${reasonOf(d)}); rows are retried with backoff.`,
    summary: (n, ms) => `transient errors: ${n} rows retried in the last ${formatDuration(ms)}`,
    ended: (n, ms) => `Transient errors are over (${n} rows retried over ${formatDuration(ms)}).`,
  });
  const localWrite = createEpisode({
    logger,
    ...timing,
    level: "error",
    quietMs: 90_000,
    started: (d) =>
      inObjectStorage(d)
        ? `Cannot write images to the batch's object storage: ${reasonOf(d)}. ` +
          "The store is refusing or unavailable, not Runflow: rows keep their runs and wait, submitting " +
          "pauses; work resumes by itself when the store takes writes again."
        : `Cannot write images on this machine: ${reasonOf(d)}. ` +
          "This is a local problem, not Runflow's: rows keep " +
          "their runs and wait, submitting pauses; free space or fix the directory and work resumes by itself.",
    summary: (n, ms, d) =>
      `cannot write images: ${n} rows waiting in the last ${formatDuration(ms)} (${reasonOf(d)})`,
    ended: (n, ms) => `Images can be written again (${n} rows waited over ${formatDuration(ms)}).`,
  });
  const all = [rateLimited, outOfCredit, unreadableRuns, transient, localWrite];
  return {
    rateLimited,
    outOfCredit,
    unreadableRuns,
    transient,
    localWrite,
    close: () => all.forEach((episode) => episode.close()),
  };
}
