/**
 * The simulator's options: what callers pass, how they are checked (one zod schema for
 * `startSimulator`, `configure()` and `POST /__simulator/config`), and the resolved settings the
 * rest of the simulator reads. Settings live in one mutable object so `configure()` takes effect
 * on the next request without restarting anything.
 */
import { randomInt } from "node:crypto";
import { z } from "zod";
import { parseUsdValue } from "../core/money.js";
import type { Logger } from "../log/logger.js";
import { BUILT_IN_PRICES, type PriceTable } from "../pricing/table.js";

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
  /** Default BUILT_IN_PRICES. */
  prices?: PriceTable;
  logger?: Logger;
}

export interface Settings {
  apiKeys: readonly string[];
  latency: { min: number; max: number };
  failRate: number;
  errorRate: number;
  rateLimit: number | null;
  retryAfter: boolean;
  callbackSecret: string | null;
  callbackRetryBaseMs: number;
  callbackTimeoutMs: number;
  urlTtlSeconds: number;
  seed: number;
  downloadDelayMs: number;
  truncateRate: number;
  prices: PriceTable;
}

const rate = z.number().min(0).max(1);
const ms = z.number().min(0).max(86_400_000);
const usd = z.union([z.string(), z.number()]).refine(isUsd, "a dollar amount such as 25 or 12.5 (at most 6 decimals)");

function isUsd(value: unknown): boolean {
  try {
    parseUsdValue(value);
    return true;
  } catch {
    return false;
  }
}

/** The JSON-able options (everything but port, host, prices and logger). */
export const optionChangesSchema = z.strictObject({
  apiKeys: z.array(z.string().min(1)).optional(),
  latencyMs: z.union([ms, z.strictObject({ min: ms, max: ms }).refine((r) => r.min <= r.max, "min ≤ max")]).optional(),
  failRate: rate.optional(),
  errorRate: rate.optional(),
  rateLimit: z.number().positive().nullable().optional(),
  retryAfter: z.boolean().optional(),
  balanceUsd: usd.nullable().optional(),
  callbackSecret: z.string().min(1).nullable().optional(),
  callbackRetryBaseMs: ms.optional(),
  callbackTimeoutMs: ms.optional(),
  urlTtlSeconds: z.number().positive().max(7 * 86_400).optional(),
  seed: z.int().optional(),
  downloadDelayMs: ms.optional(),
  truncateRate: rate.optional(),
});

export class SimulatorOptionsError extends RangeError {
  constructor(message: string) {
    super(message);
    this.name = "SimulatorOptionsError";
  }
}

/** Checks the JSON-able part of `changes`; throws SimulatorOptionsError naming each bad option. */
export function checkOptionChanges(changes: Record<string, unknown>): void {
  const { port: _port, host: _host, prices: _prices, logger: _logger, ...rest } = changes;
  const result = optionChangesSchema.safeParse(rest);
  if (result.success) return;
  const problems = result.error.issues.map((issue) => {
    const where = issue.path.join(".") || "options";
    return issue.code === "unrecognized_keys" ? `unknown option(s) ${issue.keys.join(", ")}` : `${where}: ${issue.message}`;
  });
  throw new SimulatorOptionsError(`invalid simulator options: ${problems.join("; ")}`);
}

/** snake_case keys (as the HTTP config endpoint may send them) → camelCase. */
export function camelCaseKeys(body: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(body)) out[key.replace(/_([a-z])/g, (_m, c: string) => c.toUpperCase())] = value;
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
    prices: BUILT_IN_PRICES,
  };
}

/** Applies checked changes to the settings in place (balance is the billing module's). */
export function applySettings(settings: Settings, changes: Partial<SimulatorOptions>): void {
  if (changes.apiKeys !== undefined) settings.apiKeys = [...changes.apiKeys];
  if (changes.latencyMs !== undefined) {
    const l = changes.latencyMs;
    settings.latency = typeof l === "number" ? { min: l, max: l } : { min: l.min, max: l.max };
  }
  for (const key of PLAIN_SETTINGS) {
    if (changes[key] !== undefined) (settings as Record<PlainSetting, unknown>)[key] = changes[key];
  }
}

/** Settings copied as given (apiKeys and latency are reshaped above). */
const PLAIN_SETTINGS = [
  "failRate", "errorRate", "rateLimit", "retryAfter", "callbackSecret", "callbackRetryBaseMs",
  "callbackTimeoutMs", "urlTtlSeconds", "seed", "downloadDelayMs", "truncateRate", "prices",
] as const satisfies readonly (keyof Settings & keyof SimulatorOptions)[];
type PlainSetting = (typeof PLAIN_SETTINGS)[number];
