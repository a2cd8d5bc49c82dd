/**
 * Counting a Runflow client's requests: a decorator around any RunflowClient that counts, per
 * operation, requests, 429s, other errors and a latency histogram, in this process, and hands
 * the counts to a sink (the ledger's api-stats hash) every `intervalMs` and on close, so a
 * dashboard in another process sees every worker's traffic. The counting itself is pure; the
 * sink does the I/O.
 */
import { classifyError } from "./errors.js";
import type { RunflowClient } from "./types.js";

export type ApiOperation = "create" | "poll" | "balance" | "download";
export const API_OPERATIONS: readonly ApiOperation[] = ["create", "poll", "balance", "download"];

/** Upper bounds (ms) of the latency buckets; a last, unbounded bucket is "inf". */
export const LATENCY_BUCKETS_MS: readonly number[] = [
  25, 50, 100, 250, 500, 1_000, 2_500, 5_000, 10_000, 30_000,
];

/**
 * Counter increments keyed "<operation>|<counter>": requests, rate_limited, errors, count,
 * sum_ms, and bucket_<le> (per bucket, not cumulative; "bucket_inf" for the rest).
 */
type StatsDelta = Record<string, number>;

export interface RequestStatsOptions {
  /** Receives the counts since the last flush; a failing sink keeps them for the next one. */
  readonly sink: (delta: StatsDelta) => Promise<void>;
  readonly intervalMs?: number;
  readonly now?: () => number;
  readonly onFlushError?: (error: unknown) => void;
}

export function bucketFor(ms: number): string {
  const bound = LATENCY_BUCKETS_MS.find((le) => ms <= le);
  return bound === undefined ? "bucket_inf" : `bucket_${bound}`;
}

export interface StatsCounter {
  observe(operation: ApiOperation, ms: number, error: unknown): void;
  /** Takes the counts gathered so far (and forgets them). */
  take(): StatsDelta;
  /** Puts counts back after a failed flush. */
  restore(delta: StatsDelta): void;
}

export function createStatsCounter(): StatsCounter {
  let counts: StatsDelta = {};
  const add = (field: string, n: number) => void (counts[field] = (counts[field] ?? 0) + n);
  return {
    observe(operation, ms, error) {
      add(`${operation}|requests`, 1);
      add(`${operation}|count`, 1);
      add(`${operation}|sum_ms`, Math.max(0, Math.round(ms)));
      add(`${operation}|${bucketFor(ms)}`, 1);
      if (error === undefined) return;
      if (classifyError(error).kind === "rate-limited") add(`${operation}|rate_limited`, 1);
      else add(`${operation}|errors`, 1);
    },
    take() {
      const taken = counts;
      counts = {};
      return taken;
    },
    restore(delta) {
      for (const [field, n] of Object.entries(delta)) add(field, n);
    },
  };
}

export function withRequestStats(client: RunflowClient, options: RequestStatsOptions): RunflowClient {
  const now = options.now ?? Date.now;
  const counter = createStatsCounter();
  let flushing: Promise<void> = Promise.resolve();

  async function timed<T>(operation: ApiOperation, call: () => Promise<T>): Promise<T> {
    const start = now();
    try {
      const value = await call();
      counter.observe(operation, now() - start, undefined);
      return value;
    } catch (error) {
      counter.observe(operation, now() - start, error);
      throw error;
    }
  }

  const flush = () => {
    flushing = flushing.then(async () => {
      const delta = counter.take();
      if (Object.keys(delta).length === 0) return;
      try {
        await options.sink(delta);
      } catch (error) {
        counter.restore(delta);
        options.onFlushError?.(error);
      }
    });
    return flushing;
  };
  const timer = setInterval(() => void flush(), options.intervalMs ?? 1_000);
  timer.unref();

  return {
    createRun: (request) => timed("create", () => client.createRun(request)),
    getRun: (id) => timed("poll", () => client.getRun(id)),
    getBalance: () => timed("balance", () => client.getBalance()),
    downloadOutput: (request) => timed("download", () => client.downloadOutput(request)),
    async close() {
      clearInterval(timer);
      await flush();
      await client.close();
    },
  };
}
