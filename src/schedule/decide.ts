/**
 * What to do with an occurrence when it fires (or is started by hand, or comes back from the
 * queue): start it, resume it (a duplicate fire: the same batch, never paid twice), skip it
 * (`overlap: skip` while the previous one still runs), let it wait (`overlap: queue`), or
 * record it as missed (past its `starting_deadline`). Pure.
 */
import { keyText } from "./occurrence.js";
import type { Overlap } from "./schedule.js";

/** What was decided for an occurrence before. */
export type Outcome = "started" | "skipped" | "missed" | "error" | "waiting";

export type Decision =
  | { readonly kind: "start" }
  /** Started before (a duplicate fire, a retried job): open the same batch again if it has not ended. */
  | { readonly kind: "resume" }
  /** Decided before as skipped, missed or not startable: nothing more to do. */
  | { readonly kind: "settled" }
  | { readonly kind: "skip"; readonly reason: string }
  | { readonly kind: "miss"; readonly reason: string }
  | { readonly kind: "wait"; readonly reason: string };

export interface DecisionInput {
  readonly overlap: Overlap;
  readonly startingDeadlineMs: number | null;
  readonly dueMs: number;
  readonly nowMs: number;
  /** What was decided for this occurrence before, if anything. */
  readonly earlier: Outcome | null;
  /** The schedule's latest started occurrence while its batch has not ended (never this one). */
  readonly running: { readonly key: string; readonly batchId: string } | null;
  /** `overlap: queue`: the key of an occurrence due earlier that waits too (it goes first). */
  readonly waitingAhead: string | null;
  /** Spells a duration in messages ("2 h"). */
  readonly spoken: (ms: number) => string;
}

export function decide(input: DecisionInput): Decision {
  if (input.earlier === "started") return { kind: "resume" };
  if (input.earlier !== null && input.earlier !== "waiting") return { kind: "settled" };
  const late = input.nowMs - input.dueMs;
  if (input.startingDeadlineMs !== null && late > input.startingDeadlineMs) {
    const why =
      input.running && input.overlap === "queue" ? `, waiting for batch ${input.running.batchId} to end` : "";
    return {
      kind: "miss",
      reason:
        `could not start within its starting_deadline (${input.spoken(input.startingDeadlineMs)}) ` +
        `of its due time${why}: ${input.spoken(late)} late`,
    };
  }
  if (input.running) {
    const { batchId } = input.running;
    if (input.overlap === "skip")
      return { kind: "skip", reason: `the previous occurrence (batch ${batchId}) was still running` };
    return { kind: "wait", reason: `waits for batch ${batchId} to end` };
  }
  if (input.overlap === "queue" && input.waitingAhead !== null) {
    return { kind: "wait", reason: `waits behind the occurrence due ${keyText(input.waitingAhead)}` };
  }
  return { kind: "start" };
}
