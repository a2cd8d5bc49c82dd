/**
 * Configuration: flags > environment > defaults, read here and nowhere else.
 */
import { homedir } from "node:os";
import { join } from "node:path";
import { parseDuration } from "../core/duration.js";
import { ConfigurationError } from "../core/errors.js";
import { CONNECTION_DEFAULTS, PATIENCE_DEFAULTS } from "./defaults.js";

export interface Config {
  readonly runflowApiKey: string | null;
  readonly runflowBaseUrl: string;
  readonly redisUrl: string;
  /** Hash tag of every Redis key (BullMQ's and ours): separate deployments or tests on one Redis. */
  readonly redisPrefix: string;
  /**
   * RUNFLOW_BATCH_REDIS_CLUSTER (or --redis-cluster): REDIS_URL names one or more nodes of a Redis
   * Cluster (comma-separated) and every connection is a cluster connection.
   */
  readonly redisCluster: boolean;
  readonly callbackSecret: string | null;
  readonly logLevel: string;
  /** True when REDIS_URL (or the flag) names the Redis: then no managed Redis is ever started. */
  readonly redisUrlExplicit: boolean;
  /** This machine's state: $XDG_STATE_HOME/runflow-batch, else ~/.local/state/runflow-batch. */
  readonly stateDir: string;
  /** RUNFLOW_BATCH_REDIS_SERVER: the redis-server binary for the managed Redis (else found on PATH). */
  readonly redisServer: string | null;
  /** PATH, where redis-server is looked for. */
  readonly searchPath: string;
  /** RUNFLOW_BATCH_DASHBOARD_TOKEN (or --token): required for `dashboard` to bind beyond loopback. */
  readonly dashboardToken: string | null;
  /** RUNFLOW_BATCH_NOTIFY_SECRET: signs notifications (HMAC-SHA256) when set. */
  readonly notifySecret: string | null;
  /** RUNFLOW_BATCH_REDIS_TIMEOUT (or --redis-timeout): how long Redis may be unreachable, in ms. */
  readonly redisTimeoutMs: number;
  /** RUNFLOW_MAX_RPS (or --max-rps): API requests per second for every process on the account; null adapts to 429s. */
  readonly maxRps: number | null;
}

/** The connection defaults (defaults.ts), under their old name. */
const DEFAULTS = CONNECTION_DEFAULTS;

export type ConfigFlags = Partial<{ [K in keyof Config]: string | undefined }>;
export type Environment = Readonly<Record<string, string | undefined>>;

const nonEmpty = (value: string | null | undefined): string | undefined =>
  value !== undefined && value !== null && value.trim() !== "" ? value : undefined;

export function readConfig(flags: ConfigFlags = {}, env: Environment = process.env): Config {
  return {
    runflowApiKey: nonEmpty(flags.runflowApiKey) ?? nonEmpty(env.RUNFLOW_API_KEY) ?? null,
    runflowBaseUrl: (
      nonEmpty(flags.runflowBaseUrl) ??
      nonEmpty(env.RUNFLOW_BASE_URL) ??
      DEFAULTS.runflowBaseUrl
    ).replace(/\/+$/, ""),
    // RUNFLOW_BATCH_DEFAULT_REDIS_URL moves the default address (tests use a closed port).
    redisUrl:
      nonEmpty(flags.redisUrl) ??
      nonEmpty(env.REDIS_URL) ??
      nonEmpty(env.RUNFLOW_BATCH_DEFAULT_REDIS_URL) ??
      DEFAULTS.redisUrl,
    redisPrefix: prefixFrom(
      nonEmpty(flags.redisPrefix) ?? nonEmpty(env.RUNFLOW_BATCH_PREFIX) ?? DEFAULTS.redisPrefix,
    ),
    redisCluster: switchFrom(
      "RUNFLOW_BATCH_REDIS_CLUSTER",
      nonEmpty(flags.redisCluster) ?? nonEmpty(env.RUNFLOW_BATCH_REDIS_CLUSTER),
    ),
    callbackSecret: nonEmpty(flags.callbackSecret) ?? nonEmpty(env.RUNFLOW_CALLBACK_SECRET) ?? null,
    logLevel: nonEmpty(flags.logLevel) ?? nonEmpty(env.LOG_LEVEL) ?? DEFAULTS.logLevel,
    redisUrlExplicit: nonEmpty(flags.redisUrl) !== undefined || nonEmpty(env.REDIS_URL) !== undefined,
    stateDir: join(
      nonEmpty(env.XDG_STATE_HOME) ?? join(nonEmpty(env.HOME) ?? homedir(), ".local", "state"),
      "runflow-batch",
    ),
    redisServer: nonEmpty(env.RUNFLOW_BATCH_REDIS_SERVER) ?? null,
    searchPath: env.PATH ?? "",
    dashboardToken: nonEmpty(flags.dashboardToken) ?? nonEmpty(env.RUNFLOW_BATCH_DASHBOARD_TOKEN) ?? null,
    notifySecret: nonEmpty(env.RUNFLOW_BATCH_NOTIFY_SECRET) ?? null,
    redisTimeoutMs: durationFrom(
      "RUNFLOW_BATCH_REDIS_TIMEOUT",
      nonEmpty(env.RUNFLOW_BATCH_REDIS_TIMEOUT),
      PATIENCE_DEFAULTS.redisTimeoutMs,
    ),
    maxRps: positiveFrom("RUNFLOW_MAX_RPS", nonEmpty(env.RUNFLOW_MAX_RPS)),
  };
}

/** The prefix is a Redis hash tag's content (keys.ts): braces would end or open another tag. */
function prefixFrom(prefix: string): string {
  if (/[{}\s]/.test(prefix))
    throw new ConfigurationError(
      `RUNFLOW_BATCH_PREFIX must not contain braces or spaces (it becomes the hash tag {${prefix}} of ` +
        `every Redis key), got ${JSON.stringify(prefix)}; use letters, digits, '.', '_' or '-'`,
    );
  return prefix;
}

const SWITCH_ON = new Set(["1", "true", "yes", "on"]);
const SWITCH_OFF = new Set(["0", "false", "no", "off"]);

function switchFrom(name: string, text: string | undefined): boolean {
  if (text === undefined) return false;
  const value = text.trim().toLowerCase();
  if (SWITCH_ON.has(value)) return true;
  if (SWITCH_OFF.has(value)) return false;
  throw new ConfigurationError(
    `${name} must be 1 or 0 (also true/false, yes/no, on/off), got ${JSON.stringify(text)}`,
  );
}

function positiveFrom(name: string, text: string | undefined): number | null {
  if (text === undefined) return null;
  const n = Number(text);
  if (!Number.isFinite(n) || n <= 0)
    throw new ConfigurationError(
      `${name} must be a positive number of requests per second such as 50, got ${JSON.stringify(text)}`,
    );
  return n;
}

function durationFrom(name: string, text: string | undefined, fallback: number): number {
  if (text === undefined) return fallback;
  const ms = parseDuration(text);
  if (ms === null || ms <= 0)
    throw new ConfigurationError(
      `${name} must be a duration such as 60, 30s or 5m, got ${JSON.stringify(text)}`,
    );
  return ms;
}

/** True when stderr is a terminal (progress bars, pretty logs) and we are not under CI. */
export function isInteractive(stream: { isTTY?: boolean }, env: Environment = process.env): boolean {
  return stream.isTTY === true && !nonEmpty(env.CI);
}

/** The process environment; the binary's entry point passes it to the commands. */
export function processEnvironment(): Environment {
  return process.env;
}
