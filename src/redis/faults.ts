/**
 * Is an error Redis failing under us — its connection closed, gone or given up on, or Redis
 * refusing for a passing reason (loading, out of memory, a read-only replica) — as opposed to a
 * Runflow answer or a local file-system error? A Redis fault is never a row's outcome: the Redis
 * outage (connection.ts) reports it, once. Pure.
 */

/** How ioredis rejects a command whose connection is closed, not writable, or was given up on. */
const CONNECTION_LOST = [
  "Connection is closed",
  "Stream isn't writeable",
  "Command aborted due to connection close",
  "Reached the max retries per request limit",
  "Command timed out",
  "Socket timeout",
];

/** ioredis' own error classes (redis-errors) for a connection lost or a command given up on. */
const LOST_NAMES: ReadonlySet<string> = new Set([
  "AbortError",
  "MaxRetriesPerRequestError",
  "InterruptError",
]);

/** Redis answers that mean "not now", not "this command is wrong". */
const PASSING_REPLY = /^(LOADING|OOM|READONLY|MASTERDOWN|MISCONF|BUSY|TRYAGAIN|CLUSTERDOWN|NOREPLICAS)\b/;

export function isRedisFault(error: unknown): boolean {
  if (!(error instanceof Error)) return false;
  if (LOST_NAMES.has(error.name)) return true;
  if (error.name === "ReplyError") return PASSING_REPLY.test(error.message);
  return CONNECTION_LOST.some((text) => error.message.startsWith(text));
}
