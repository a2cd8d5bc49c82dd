/**
 * The simulator's options: what callers pass, how they are checked (one zod schema for
 * `startSimulator`, `configure()` and `POST /__simulator/config`), and the resolved settings the
 * rest of the simulator reads. Settings are never changed in place: `configure()` replaces them
 * with `withChanges(settings, changes)`, and the parts read the current ones on every request.
 */
import { randomInt } from "node:crypto";
import { z } from "zod";
import { parseUsdValue } from "../core/money.js";
import type { Logger } from "../log/logger.js";
import { BUILT_IN_PRICES, type PriceTable } from "../pricing/table.js";
import type { Clock } from "./clock.js";

export interface SimulatorOptions {
  /** 0 = a free port (default 0). */
  port?: number;
  /** Default 127.0.0.1. */
  host?: string;
  /** Accepted API keys; empty or absent → any key starting "rf_". */
  apiKeys?: readonly string[];
  /** Create → terminal time, fixed or uniform in [min, max]; default 0. */
  latencyMs?: number | { min: number; max: number };
  /** Share of runs that end failed (not billed). */
  failRate?: number;
  /** Share of /v1 requests answered 503 MODEL_UNAVAILABLE or 500 INTERNAL_ERROR (a failed create creates nothing). */
  errorRate?: number;
  /** Requests per second (token bucket of that size) before 429 RATE_LIMITED; null = no limit. */
  rateLimit?: number | null;
  /** Send Retry-After (whole seconds) on 429. */
  retryAfter?: boolean;
  /** Account credit in USD; null = unlimited. 402 when a run's price exceeds what is left. */
  balanceUsd?: string | null;
  /** Signs callbacks (Runflow-Signature) when set. */
  callbackSecret?: string | null;
  /** Callback retry backoff base: attempts at 0, 1×, 2×, 4×, 8× this (default 1000). */
  callbackRetryBaseMs?: number;
  /** Per-attempt callback timeout (default 10000). */
  callbackTimeoutMs?: number;
  /** Lifetime of presigned output URLs (default 3600). */
  urlTtlSeconds?: number;
  /** Reproducible latencies, failures, faults and images. */
  seed?: number;
  /** Delay before an output download starts sending bytes. */
  downloadDelayMs?: number;
  /** Share of output downloads cut short (fewer bytes than Content-Length, then the socket is destroyed). */
  truncateRate?: number;
  /**
   * Timing fields the run record (and callback) sends as null, as Runflow's docs allow:
   * e.g. ["duration_ms"], or all four. Default none.
   */
  omitTiming?: readonly TimingField[];
  /** Default BUILT_IN_PRICES. */
  prices?: PriceTable;
  logger?: Logger;
  /**
   * Time for everything the API does (lifecycle, expiry, rate limit, callback retries, download
   * delays). Default: the system clock. Tests pass a manual clock and advance it.
   */
  clock?: Clock;
  /**
   * A journal file of the runs created (journal.ts): a simulator started on the same file knows
   * them again, so a rehearsal survives a restart. Default: none (runs live in memory only).
   */
  stateFile?: string;
}

export const TIMING_FIELDS = ["duration_ms", "created_at", "started_at", "completed_at"] as const;
export type TimingField = (typeof TIMING_FIELDS)[number];

export interface Settings {
  readonly apiKeys: readonly string[];
  readonly latency: { readonly min: number; readonly max: number };
  readonly failRate: number;
  readonly errorRate: number;
  readonly rateLimit: number | null;
  readonly retryAfter: boolean;
  readonly callbackSecret: string | null;
  readonly callbackRetryBaseMs: number;
  readonly callbackTimeoutMs: number;
  readonly urlTtlSeconds: number;
  readonly seed: number;
  readonly downloadDelayMs: number;
  readonly truncateRate: number;
  /** Settings' spelling of SimulatorOptions.omitTiming. */
  readonly omittedTiming: ReadonlySet<TimingField>;
  readonly prices: PriceTable;
}

/** Options fixed when the simulator starts: not settings, never changed by configure(). */
export const FIXED_OPTIONS = ["port", "host", "prices", "logger", "clock", "stateFile"] as const;

const rate = z.number().min(0).max(1);
const ms = z.number().min(0).max(86_400_000);
const usd = z
  .union([z.string(), z.number()])
  .refine(isUsd, "a dollar amount such as 25 or 12.5 (at most 6 decimals)");

function isUsd(value: unknown): boolean {
  try {
    parseUsdValue(value);
    return true;
  } catch {
    return false;
  }
}

/** The JSON-able options (everything but port, host, prices, logger and clock). */
const optionChangesSchema = z.strictObject({
  apiKeys: z.array(z.string().min(1)).optional(),
  latencyMs: z
    .union([ms, z.strictObject({ min: ms, max: ms }).refine((r) => r.min <= r.max, "min ≤ max")])
    .optional(),
  failRate: rate.optional(),
  errorRate: rate.optional(),
  rateLimit: z.number().positive().nullable().optional(),
  retryAfter: z.boolean().optional(),
  balanceUsd: usd.nullable().optional(),
  callbackSecret: z.string().min(1).nullable().optional(),
  callbackRetryBaseMs: ms.optional(),
  callbackTimeoutMs: ms.optional(),
  urlTtlSeconds: z
    .number()
    .positive()
    .max(7 * 86_400)
    .optional(),
  seed: z.int().optional(),
  downloadDelayMs: ms.optional(),
  truncateRate: rate.optional(),
  omitTiming: z.array(z.enum(TIMING_FIELDS)).optional(),
});

export class SimulatorOptionsError extends RangeError {
  constructor(message: string) {
    super(message);
    this.name = "SimulatorOptionsError";
  }
}

/** Checks the JSON-able part of `changes`; throws SimulatorOptionsError naming each bad option. */
export function checkOptionChanges(changes: Record<string, unknown>): void {
  const fixed: readonly string[] = FIXED_OPTIONS;
  const rest = Object.fromEntries(Object.entries(changes).filter(([key]) => !fixed.includes(key)));
  const result = optionChangesSchema.safeParse(rest);
  if (result.success) return;
  const problems = result.error.issues.map((issue) => {
    const where = issue.path.join(".") || "options";
    return issue.code === "unrecognized_keys"
      ? `unknown option(s) ${issue.keys.join(", ")}`
      : `${where}: ${issue.message}`;
  });
  throw new SimulatorOptionsError(`invalid simulator options: ${problems.join("; ")}`);
}

/** snake_case keys (as the HTTP config endpoint may send them) → camelCase. */
export function camelCaseKeys(body: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(body))
    out[key.replace(/_([a-z])/g, (_m, c: string) => c.toUpperCase())] = value;
  return out;
}

export function defaultSettings(): Settings {
  return {
    apiKeys: [],
    latency: { min: 0, max: 0 },
    failRate: 0,
    errorRate: 0,
    rateLimit: null,
    retryAfter: false,
    callbackSecret: null,
    callbackRetryBaseMs: 1000,
    callbackTimeoutMs: 10_000,
    urlTtlSeconds: 3600,
    seed: randomInt(0, 2 ** 31),
    downloadDelayMs: 0,
    truncateRate: 0,
    omittedTiming: new Set(),
    prices: BUILT_IN_PRICES,
  };
}

/** The settings with checked `changes` applied (balance is the billing module's). */
export function withChanges(settings: Settings, changes: Partial<SimulatorOptions>): Settings {
  // null is a value here (no rate limit, no secret): only undefined keeps the current setting.
  const given = <K extends keyof Settings & keyof SimulatorOptions>(key: K): Settings[K] =>
    changes[key] === undefined ? settings[key] : (changes[key] as Settings[K]);
  const l = changes.latencyMs;
  let latency = settings.latency;
  if (typeof l === "number") latency = { min: l, max: l };
  else if (l !== undefined) latency = { min: l.min, max: l.max };
  return {
    apiKeys: changes.apiKeys === undefined ? settings.apiKeys : [...changes.apiKeys],
    latency,
    failRate: given("failRate"),
    errorRate: given("errorRate"),
    rateLimit: given("rateLimit"),
    retryAfter: given("retryAfter"),
    callbackSecret: given("callbackSecret"),
    callbackRetryBaseMs: given("callbackRetryBaseMs"),
    callbackTimeoutMs: given("callbackTimeoutMs"),
    urlTtlSeconds: given("urlTtlSeconds"),
    seed: given("seed"),
    downloadDelayMs: given("downloadDelayMs"),
    truncateRate: given("truncateRate"),
    omittedTiming: changes.omitTiming === undefined ? settings.omittedTiming : new Set(changes.omitTiming),
    prices: given("prices"),
  };
}
