/**
 * Losing a connected Redis is one outage, not a flood of errors: every connection made from the
 * first one (our duplicates and BullMQ's) reports its trouble here, which logs one warning when
 * Redis goes, a summary every 30 s while it is gone and one line when it is back (an episode,
 * log/episodes.ts). Past the Redis timeout, `gaveUp` rejects with a ConfigurationError (exit 4)
 * the command races its work against, and the connections stop reconnecting.
 */
import type { Redis } from "ioredis";
import { PATIENCE_DEFAULTS } from "../config/defaults.js";
import { formatDuration } from "../core/duration.js";
import { ConfigurationError } from "../core/errors.js";
import { createEpisode, systemTimers, type EpisodeClock } from "../log/episodes.js";
import type { Logger } from "../log/logger.js";

/** Whoever hears of every connection's trouble: the outage (connectRedis) or a test. */
export interface ConnectionEvents {
  /** `connection` reported an error or started reconnecting. */
  trouble(connection: Redis, error: Error | null): void;
  /** `connection` is ready (again). */
  ready(connection: Redis): void;
  /** `connection` was closed for good (quit, disconnect): its trouble is over. */
  ended(connection: Redis): void;
  /** `connection` was made (the first one, or a duplicate). */
  opened?(connection: Redis): void;
  /** False once the command gave up on Redis: connections stop reconnecting and fail what waits. */
  reconnecting?(): boolean;
}

export interface RedisOutage {
  /** True while Redis is unreachable. */
  readonly down: boolean;
  /**
   * Never resolves; rejects with a ConfigurationError once Redis has been unreachable for longer
   * than the Redis timeout. Race long work against it.
   */
  readonly gaveUp: Promise<never>;
  /** Stops its timers (the command is closing its connections). */
  close(): void;
}

/** How the outage speaks and how patient it is. */
export interface OutageOptions {
  /** Logs the outages of a connected Redis; without it, trouble after connecting is ignored quietly. */
  readonly logger?: Logger;
  /** How long Redis may stay unreachable once connected before `gaveUp` rejects (ms). Default 60 s. */
  readonly redisTimeoutMs?: number;
  readonly clock?: EpisodeClock;
}

const capital = (text: string): string => text.charAt(0).toUpperCase() + text.slice(1);

/** Redis unreachable past the Redis timeout: what the command ends with (exit 4). */
function gaveUpError(where: string, timeoutMs: number, lastError: string | null): ConfigurationError {
  return new ConfigurationError(
    `${capital(where)} has been unreachable for ${formatDuration(timeoutMs)} ` +
      `(last error: ${lastError ?? "connection closed"}); ` +
      "giving up (--redis-timeout). What was recorded before is safe in Redis: start Redis again " +
      "and run the same command to resume.",
  );
}

/** The episode that says a lost Redis once, as a summary while it stays lost, and when it is back. */
function outageEpisode(
  where: string,
  timeoutMs: number,
  options: OutageOptions,
  lastError: () => string | null,
) {
  if (!options.logger) return null;
  return createEpisode({
    logger: options.logger,
    clock: options.clock ?? systemTimers(),
    started: (d) =>
      `Lost ${where} (${typeof d.reason === "string" ? d.reason : "connection closed"}); ` +
      `work pauses and resumes when it is back (giving up after ${formatDuration(timeoutMs)}).`,
    summary: (_n, _ms) =>
      `${capital(where)} is still unreachable; reconnecting (last error: ${lastError() ?? "none"})`,
    ended: (_n, ms) => `${capital(where)} is back after ${formatDuration(ms)}; work resumes.`,
  });
}

export function createOutage(where: string, options: OutageOptions) {
  const clock = options.clock ?? systemTimers();
  const timeoutMs = options.redisTimeoutMs ?? PATIENCE_DEFAULTS.redisTimeoutMs;
  let connected = false;
  let lastError: string | null = null;
  let cancelGiveUp: (() => void) | null = null;
  let giveUp: (error: ConfigurationError) => void = () => undefined;
  const gaveUp = new Promise<never>((_, reject) => (giveUp = reject));
  gaveUp.catch(() => undefined); // a command that never races it must not see an unhandled rejection
  const episode = outageEpisode(where, timeoutMs, options, () => lastError);
  // Redis is down while any connection is in trouble: the outage ends when the last one is back.
  const troubled = new Set<Redis>();
  const open = new Set<Redis>();
  let stopped = false;
  const over = (connection: Redis) => {
    // Once given up, connections end because we closed them: Redis is not back.
    if (stopped || !troubled.delete(connection) || troubled.size > 0) return;
    cancelGiveUp?.();
    cancelGiveUp = null;
    episode?.end();
  };
  const events: ConnectionEvents = {
    trouble(connection, error) {
      if (error) lastError = (error as { code?: string }).code ?? error.message;
      // The first connect reports its own failure; once given up, the outage has said all.
      if (!connected || stopped) return;
      troubled.add(connection);
      if (cancelGiveUp === null) {
        cancelGiveUp = clock.schedule(timeoutMs, () => {
          stopped = true;
          episode?.close();
          giveUp(gaveUpError(where, timeoutMs, lastError));
          // Nothing may wait on Redis any longer: connections stop reconnecting, and the commands
          // waiting on them fail (at the next attempt for a connection between attempts: ioredis'
          // disconnect() would leave those waiting forever).
          for (const c of open) if (c.status !== "reconnecting") c.disconnect();
        });
      }
      episode?.occurred(error ? { reason: lastError } : {});
    },
    ready: over,
    ended(connection) {
      open.delete(connection);
      over(connection);
    },
    opened: (connection) => void open.add(connection),
    reconnecting: () => !stopped,
  };
  return {
    events,
    connected: () => void (connected = true),
    get down() {
      return troubled.size > 0;
    },
    gaveUp,
    close() {
      connected = false;
      troubled.clear();
      cancelGiveUp?.();
      cancelGiveUp = null;
      episode?.close();
    },
  };
}
