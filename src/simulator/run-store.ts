/**
 * Runs and their lifecycle. A run's whole future is decided when it is created (end time,
 * outcome, failure, seed), and its status and cost are read off the simulator's clock (which
 * never goes backwards): queued → dispatching (after 10 % of its latency) → running (after 25 %)
 * → terminal (at 100 %). Runs are never changed after creation. No timer per run: unsettled runs
 * sit in one min-heap by end time, and `settleDue(now)` hands every run whose end time has passed
 * to `onSettle` once (bill or release its credit, queue its callback). The simulator calls it
 * before every request and from one sweep timer armed for the earliest end, so billing and
 * callbacks happen at terminal time whether or not anyone reads the run.
 */
import type { ModelId } from "../core/models.js";
import type { RunStatus } from "../runflow/types.js";
import type { OutputSpec } from "./dimensions.js";
import { createMinHeap } from "./min-heap.js";
import type { Prng } from "./prng.js";

interface RunFailure {
  readonly code: string;
  readonly message: string;
  readonly stage: string;
}

export interface SimRun {
  readonly id: string;
  /** 1, 2, 3… in creation order; images derive from it (with the seed) so `--seed` reproduces them. */
  readonly seq: number;
  readonly model: ModelId;
  readonly input: Readonly<Record<string, unknown>>;
  readonly metadata: unknown;
  readonly clientRef: string | null;
  readonly callbackUrl: string | null;
  readonly idempotencyKey: string | null;
  readonly createdMs: number;
  readonly dispatchMs: number;
  readonly startMs: number;
  readonly endMs: number;
  readonly outcome: "succeeded" | "failed";
  readonly failure: RunFailure | null;
  /** What the run costs if it succeeds; reserved against the balance until it ends. */
  readonly priceMicros: number;
  readonly output: OutputSpec;
  readonly seed: number;
}

const FAILURES: readonly RunFailure[] = [
  {
    code: "PROVIDER_ERROR",
    message: "The model provider returned an error (simulated).",
    stage: "inference",
  },
  {
    code: "CONTENT_POLICY_VIOLATION",
    message: "The request was rejected by the content policy (simulated).",
    stage: "moderation",
  },
  { code: "TIMEOUT", message: "The model did not finish in time (simulated).", stage: "inference" },
];

export interface RunPlan {
  readonly dispatchMs: number;
  readonly startMs: number;
  readonly endMs: number;
  readonly outcome: "succeeded" | "failed";
  readonly failure: RunFailure | null;
  readonly seed: number;
}

/** Decides a new run's future from the seeded stream. */
export function planRun(
  prng: Prng,
  now: number,
  latency: { min: number; max: number },
  failRate: number,
): RunPlan {
  const total =
    latency.max > latency.min
      ? prng.int(Math.round(latency.min), Math.round(latency.max))
      : Math.round(latency.min);
  const failed = prng.chance(failRate);
  const failure = failed ? (FAILURES[prng.int(0, FAILURES.length - 1)] ?? null) : null;
  return {
    dispatchMs: now + Math.round(total * 0.1),
    startMs: now + Math.round(total * 0.25),
    endMs: now + total,
    outcome: failed ? "failed" : "succeeded",
    failure,
    seed: prng.int(0, 2 ** 31 - 1),
  };
}

export function statusAt(run: SimRun, now: number): RunStatus {
  if (now >= run.endMs) return run.outcome;
  if (now >= run.startMs) return "running";
  if (now >= run.dispatchMs) return "dispatching";
  return "queued";
}

/** What the run is billed once it has ended: its price on success, 0 on failure. */
export function finalCost(run: SimRun): number {
  return run.outcome === "succeeded" ? run.priceMicros : 0;
}

/** The run's cost at `now`: null until it has ended. */
export function costAt(run: SimRun, now: number): number | null {
  return now >= run.endMs ? finalCost(run) : null;
}

export interface RunStore {
  /** 1, 2, 3… for each new run. */
  nextSeq(): number;
  add(run: SimRun): void;
  /** A run known from before a restart (journal.ts): added, and later runs number after it. */
  restore(run: SimRun): void;
  get(id: string): SimRun | undefined;
  /** All runs in creation order. */
  all(): IterableIterator<SimRun>;
  /** Runs not yet settled. */
  inFlight(): number;
  /** End time of the next run to settle, if any. */
  nextDueMs(): number | undefined;
  /** Hands every unsettled run whose end time is ≤ now to `onSettle`, in end-time order. */
  settleDue(now: number): void;
}

export function createRunStore(onSettle: (run: SimRun) => void): RunStore {
  const runs = new Map<string, SimRun>();
  const pending = createMinHeap<SimRun>((run) => run.endMs);
  let seq = 0;
  return {
    nextSeq: () => (seq += 1),
    add(run) {
      runs.set(run.id, run);
      pending.push(run);
    },
    restore(run) {
      runs.set(run.id, run);
      pending.push(run);
      seq = Math.max(seq, run.seq);
    },
    get: (id) => runs.get(id),
    all: () => runs.values(),
    inFlight: () => pending.size(),
    nextDueMs: () => pending.peek()?.endMs,
    settleDue(now) {
      for (let next = pending.peek(); next !== undefined && next.endMs <= now; next = pending.peek()) {
        pending.pop();
        onSettle(next);
      }
    },
  };
}
