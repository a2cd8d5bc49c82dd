/**
 * The ledger: what a test or a rehearsal needs to see that nothing was paid twice. Counts every
 * POST …/runs (including replays and refused ones) and every POST per Idempotency-Key; lists
 * runs per client_ref (more than one run for one client_ref = the same row paid twice).
 * Served as JSON, same camelCase shape, at GET /__simulator/ledger.
 */
import type { CallbackStats } from "./callbacks.js";
import { usd6 } from "./billing.js";
import { statusAt, type SimRun } from "./run-store.js";

export interface LedgerRun {
  id: string;
  model: string;
  status: string;
  costMicros: number | null;
  idempotencyKey: string | null;
  clientRef: string | null;
  createdAt: string;
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
  /** Keys that created a run: every POST received with the key, and its run. */
  /** runIds has more than one entry only if a key made a second run (e.g. after its 24 h expiry): billed twice. */
  byIdempotencyKey: Record<string, { posts: number; runId: string; runIds: string[] }>;
  /** client_ref → run ids. */
  byClientRef: Record<string, string[]>;
  runs: LedgerRun[];
  /** Extras. */
  inFlight: number;
  reservedMicros: number;
  callbacks: CallbackStats & { pending: number };
}

export class LedgerBook {
  createRequests = 0;
  replays = 0;
  private readonly postsByKey = new Map<string, number>();

  countCreate(idempotencyKey: string | null): void {
    this.createRequests += 1;
    if (idempotencyKey !== null) this.postsByKey.set(idempotencyKey, (this.postsByKey.get(idempotencyKey) ?? 0) + 1);
  }

  build(
    runs: Iterable<SimRun>,
    now: number,
    totals: { billedMicros: number; reservedMicros: number; inFlight: number; callbacks: CallbackStats & { pending: number } },
  ): Ledger {
    const byIdempotencyKey: Ledger["byIdempotencyKey"] = {};
    const byClientRef: Ledger["byClientRef"] = {};
    const list: LedgerRun[] = [];
    for (const run of runs) {
      if (run.idempotencyKey !== null) {
        const entry = (byIdempotencyKey[run.idempotencyKey] ??= { posts: this.postsByKey.get(run.idempotencyKey) ?? 0, runId: run.id, runIds: [] });
        entry.runIds.push(run.id);
      }
      if (run.clientRef !== null) (byClientRef[run.clientRef] ??= []).push(run.id);
      list.push({
        id: run.id,
        model: run.model,
        status: statusAt(run, now),
        costMicros: run.costMicros,
        idempotencyKey: run.idempotencyKey,
        clientRef: run.clientRef,
        createdAt: new Date(run.createdMs).toISOString(),
      });
    }
    return {
      runsCreated: list.length,
      createRequests: this.createRequests,
      replays: this.replays,
      billedMicros: totals.billedMicros,
      billedUsd: usd6(totals.billedMicros),
      byIdempotencyKey,
      byClientRef,
      runs: list,
      inFlight: totals.inFlight,
      reservedMicros: totals.reservedMicros,
      callbacks: totals.callbacks,
    };
  }
}
