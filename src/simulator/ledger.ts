/**
 * The ledger: what a test or a rehearsal needs to see that nothing was paid twice. Counts every
 * POST …/runs (including replays and refused ones) and every POST per Idempotency-Key; lists
 * runs per client_ref (more than one run for one client_ref = the same row paid twice).
 * Served as JSON, same camelCase shape, at GET /__simulator/ledger.
 */
import type { CallbackStats } from "./callbacks.js";
import { usd6 } from "./billing.js";
import { costAt, statusAt, type SimRun } from "./run-store.js";

interface LedgerRun {
  id: string;
  model: string;
  status: string;
  costMicros: number | null;
  idempotencyKey: string | null;
  clientRef: string | null;
  createdAt: string;
  /** When the run ends (or ended): what the API's timing fields would say, even when omitted. */
  endsAt: string;
}

export interface Ledger {
  /** Distinct runs created. */
  runsCreated: number;
  /** POST …/runs received (including replays and refused ones). */
  createRequests: number;
  /** Idempotent replays answered with an existing run. */
  replays: number;
  billedMicros: number;
  billedUsd: string;
  /**
   * Keys that created a run: every POST received with the key, and its run. runIds has more than
   * one entry only if a key made a second run (e.g. after its 24 h expiry): billed twice.
   */
  byIdempotencyKey: Record<string, { posts: number; runId: string; runIds: string[] }>;
  /** client_ref → run ids. */
  byClientRef: Record<string, string[]>;
  runs: LedgerRun[];
  /** Extras. */
  inFlight: number;
  reservedMicros: number;
  callbacks: CallbackStats & { pending: number };
  /** Output downloads answered in full, and cut short by `truncateRate`. */
  downloads: { served: number; truncated: number };
  /** /v1 requests received (except /v1/health), by kind, the 429s among them, and per second. */
  requests: RequestCounts;
}

type RequestKind = "create" | "get" | "balance" | "other";

export interface RequestCounts {
  create: number;
  get: number;
  balance: number;
  other: number;
  rateLimited: number;
  /** Unix second (simulator clock) → /v1 requests received in it. */
  perSecond: Record<string, number>;
  /** The most /v1 requests received in one second. */
  maxPerSecond: number;
}

interface LedgerTotals {
  readonly billedMicros: number;
  readonly reservedMicros: number;
  readonly inFlight: number;
  readonly callbacks: CallbackStats & { pending: number };
}

/** Counts POSTs and replays; builds the Ledger from the runs and the totals kept elsewhere. */
export interface LedgerBook {
  /** A POST …/runs arrived (before auth, faults or validation). */
  countCreate(idempotencyKey: string | null): void;
  /** A create was answered with an existing run. */
  countReplay(): void;
  /** An output download was answered, in full or cut short. */
  countDownload(truncated: boolean): void;
  /** A /v1 request arrived at `now` (before auth, faults or the rate limit). */
  countRequest(kind: RequestKind, now: number): void;
  /** A /v1 request was answered 429. */
  countRateLimited(): void;
  build(runs: Iterable<SimRun>, now: number, totals: LedgerTotals): Ledger;
}

export function createLedgerBook(): LedgerBook {
  let createRequests = 0;
  let replays = 0;
  const postsByKey = new Map<string, number>();
  const downloads = { served: 0, truncated: 0 };
  const requests: Omit<RequestCounts, "perSecond" | "maxPerSecond"> = {
    create: 0,
    get: 0,
    balance: 0,
    other: 0,
    rateLimited: 0,
  };
  const perSecond = new Map<number, number>();
  return {
    countRequest(kind, now) {
      requests[kind] += 1;
      const second = Math.floor(now / 1000);
      perSecond.set(second, (perSecond.get(second) ?? 0) + 1);
    },
    countRateLimited() {
      requests.rateLimited += 1;
    },
    countCreate(idempotencyKey) {
      createRequests += 1;
      if (idempotencyKey !== null) postsByKey.set(idempotencyKey, (postsByKey.get(idempotencyKey) ?? 0) + 1);
    },
    countReplay() {
      replays += 1;
    },
    countDownload(truncated) {
      if (truncated) downloads.truncated += 1;
      else downloads.served += 1;
    },
    build: (runs, now, totals) =>
      buildLedger(runs, now, totals, {
        createRequests,
        replays,
        postsByKey,
        downloads: { ...downloads },
        requests: {
          ...requests,
          perSecond: Object.fromEntries([...perSecond].map(([second, n]) => [String(second), n])),
          maxPerSecond: Math.max(0, ...perSecond.values()),
        },
      }),
  };
}

function buildLedger(
  runs: Iterable<SimRun>,
  now: number,
  totals: LedgerTotals,
  counts: {
    createRequests: number;
    replays: number;
    postsByKey: ReadonlyMap<string, number>;
    downloads: { served: number; truncated: number };
    requests: RequestCounts;
  },
): Ledger {
  const byIdempotencyKey: Ledger["byIdempotencyKey"] = {};
  const byClientRef: Ledger["byClientRef"] = {};
  const list: LedgerRun[] = [];
  for (const run of runs) {
    if (run.idempotencyKey !== null) {
      const posts = counts.postsByKey.get(run.idempotencyKey) ?? 0;
      const entry = (byIdempotencyKey[run.idempotencyKey] ??= { posts, runId: run.id, runIds: [] });
      entry.runIds.push(run.id);
    }
    if (run.clientRef !== null) (byClientRef[run.clientRef] ??= []).push(run.id);
    list.push({
      id: run.id,
      model: run.model,
      status: statusAt(run, now),
      costMicros: costAt(run, now),
      idempotencyKey: run.idempotencyKey,
      clientRef: run.clientRef,
      createdAt: new Date(run.createdMs).toISOString(),
      endsAt: new Date(run.endMs).toISOString(),
    });
  }
  return {
    runsCreated: list.length,
    createRequests: counts.createRequests,
    replays: counts.replays,
    billedMicros: totals.billedMicros,
    billedUsd: usd6(totals.billedMicros),
    byIdempotencyKey,
    byClientRef,
    runs: list,
    inFlight: totals.inFlight,
    reservedMicros: totals.reservedMicros,
    callbacks: totals.callbacks,
    downloads: counts.downloads,
    requests: counts.requests,
  };
}
