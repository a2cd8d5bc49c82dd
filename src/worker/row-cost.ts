/**
 * What a row costs when it is recorded, from what is known of Runflow's side. Pure.
 *
 *   the run ended, succeeded (or partly)  Runflow's `cost` when it reports one, else the batch's
 *                                         price table for the images the run produced
 *   the run ended, failed or canceled     Runflow's `cost` when it reports one, else nothing
 *   a run may exist but its end is unknown (a create's answer was lost, waiting gave up,
 *     the idempotency window passed)      the estimate: the budget stays safe
 *   no run                                nothing
 */
import { MODELS } from "../core/models.js";
import type { Micros } from "../core/money.js";
import type { JobRow } from "../manifest/types.js";
import { priceOf, type PriceTable } from "../pricing/table.js";
import { classifyError } from "../runflow/errors.js";
import type { Run } from "../runflow/types.js";
import { DraftReadFailed } from "./draft-input.js";
import { IdempotencyWindowPassed, type RowAttemptError } from "./row-errors.js";

/** What Runflow has for a row whose attempt failed. */
export type RunflowSide =
  | { readonly kind: "no-run" }
  /** `lostCreate`: the last create POST went unanswered, so the run, if any, is not known by id. */
  | { readonly kind: "maybe-run"; readonly lostCreate: boolean }
  | { readonly kind: "ended"; readonly run: Run };

/** The row as costing sees it. */
export interface CostedRow {
  readonly row: Pick<JobRow, "model" | "quality">;
  readonly estimateMicros: Micros;
}

/** Reads Runflow's side off a failed attempt. */
export function runflowSide(failure: RowAttemptError): RunflowSide {
  if (failure.cause instanceof IdempotencyWindowPassed) return { kind: "maybe-run", lostCreate: false };
  if (failure.run !== null) return { kind: "ended", run: failure.run };
  if (failure.runId !== null) return { kind: "maybe-run", lostCreate: false };
  // Reading a final's draft image failed before any create was sent.
  if (failure.cause instanceof DraftReadFailed) return { kind: "no-run" };
  // A create that failed transiently (timeout, 5xx) may have reached Runflow; a refusal created nothing.
  if (failure.phase === "create" && classifyError(failure.cause).kind === "retry")
    return { kind: "maybe-run", lostCreate: true };
  return { kind: "no-run" };
}

/** A run that ended (any terminal status). */
export function endedRunCost(run: Run, { row }: CostedRow, prices: PriceTable): Micros {
  if (run.costMicros !== null) return run.costMicros;
  if (run.status === "failed" || run.status === "canceled") return 0;
  const images = MODELS[row.model].billing === "image" ? run.outputUrls.length : 1;
  return priceOf(prices, row.model, row.quality, images);
}

/** A failed row whose run did not end, or never existed. */
export function unendedRowCost(side: Exclude<RunflowSide, { kind: "ended" }>, row: CostedRow): Micros {
  return side.kind === "maybe-run" ? row.estimateMicros : 0;
}
