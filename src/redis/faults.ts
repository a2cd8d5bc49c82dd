/**
 * Is an error Redis failing under us — its connection closed, gone or given up on, or Redis
 * refusing for a passing reason (loading, out of memory, a read-only replica) — as opposed to a
 * Runflow answer or a local file-system error? A Redis fault is never a row's outcome: the Redis
 * outage (connection.ts) reports it, once. Pure.
 */
import { ConfigurationError } from "../core/errors.js";

/** How ioredis rejects a command whose connection is closed, not writable, or was given up on. */
const CONNECTION_LOST = [
  "Connection is closed",
  "Stream isn't writeable",
  "Command aborted due to connection close",
  "Reached the max retries per request limit",
  "Command timed out",
  "Socket timeout",
  // A Redis Cluster with a node down or its slots moving (ioredis gave up following it for now).
  "Too many Cluster redirections",
  "Failed to refresh slots cache",
  "None of startup nodes is available",
];

/** ioredis' own error classes (redis-errors) for a connection lost or a command given up on. */
const LOST_NAMES: ReadonlySet<string> = new Set([
  "AbortError",
  "MaxRetriesPerRequestError",
  "InterruptError",
  "ClusterAllFailedError",
]);

/**
 * Redis answers that mean "not now", not "this command is wrong". NOSCRIPT: a cluster node that
 * restarted has lost its scripts, which ioredis sends again at the next try. EXECABORT: a
 * transaction refused for one of these (our transactions are never malformed).
 */
const PASSING_REPLY =
  /^(LOADING|OOM|READONLY|MASTERDOWN|MISCONF|BUSY|TRYAGAIN|CLUSTERDOWN|NOREPLICAS|NOSCRIPT|EXECABORT)\b/;

export function isRedisFault(error: unknown): boolean {
  if (!(error instanceof Error)) return false;
  if (LOST_NAMES.has(error.name)) return true;
  if (error.name === "ReplyError") return PASSING_REPLY.test(error.message);
  return CONNECTION_LOST.some((text) => error.message.startsWith(text));
}

/**
 * A Redis Cluster's answer that no command can get past, as what to do (exit 4), else null:
 * MOVED/ASK reach us only from a plain connection to a cluster node (a cluster connection follows
 * them), CROSSSLOT from keys of several slots in one command (a process with another key layout),
 * CLUSTERDOWN once ioredis stopped retrying a cluster that lost a slot's master. The error or any
 * of its causes.
 */
export function clusterFault(error: unknown): ConfigurationError | null {
  for (let e = error, depth = 0; e instanceof Error && depth < 5; e = e.cause, depth += 1) {
    const reply = e.message.startsWith("Too many Cluster redirections")
      ? "REDIRECTIONS"
      : /^(MOVED|ASK|CROSSSLOT|CLUSTERDOWN|EXECABORT)\b/.exec(e.message)?.[1];
    if (reply)
      return new ConfigurationError(`${CLUSTER_ADVICE[reply]} (Redis said: ${e.message})`, { cause: error });
  }
  return null;
}

const CLUSTER_ADVICE: Readonly<Record<string, string>> = {
  MOVED:
    "REDIS_URL names a node of a Redis Cluster that does not hold these keys: set " +
    "RUNFLOW_BATCH_REDIS_CLUSTER=1 (or pass --redis-cluster) so that every command talks to the whole cluster",
  ASK:
    "REDIS_URL names a node of a Redis Cluster whose slots are moving: set RUNFLOW_BATCH_REDIS_CLUSTER=1 " +
    "(or pass --redis-cluster) so that every command talks to the whole cluster",
  CROSSSLOT:
    "the Redis Cluster refused a command whose keys are in different slots; every process using this " +
    "Redis must run a runflow-batch that keeps each batch under its own hash tag (upgrade them all), and " +
    "RUNFLOW_BATCH_PREFIX must be the same everywhere; if they are, please report it",
  CLUSTERDOWN:
    "the Redis Cluster is down (a slot has no master): check CLUSTER INFO (cluster_state:ok) on its " +
    "nodes, then run the same command again to resume",
  EXECABORT:
    "Redis refused a transaction because one of its commands was refused (a cluster node restarting, " +
    "or slots moving): check CLUSTER INFO (cluster_state:ok) on its nodes, then run the same command again " +
    "to resume",
  REDIRECTIONS:
    "the Redis Cluster kept sending the command elsewhere (a node down, or slots moving): check " +
    "CLUSTER INFO (cluster_state:ok) on its nodes, then run the same command again to resume",
};
