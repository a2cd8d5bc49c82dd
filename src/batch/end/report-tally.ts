/**
 * What a batch's reports total, counted line by line as the lines are written: the cost summary,
 * the rows not done yet, the failures (the first FAILURES_LISTED with their report page), and when
 * the last row finished.
 */
import type { ModelId, Quality } from "../../core/models.js";
import { createCostAccumulator } from "../../pricing/totals.js";
import { FAILURES_LISTED } from "../../report/cost-report.js";
import type { HeaderFailure } from "../../report/html/header.js";
import { pageOf } from "../../report/html-writer.js";
import type { ResultLine } from "../../report/result-lines.js";

/** What the reports' totals need, counted line by line. */
export interface Tally {
  readonly acc: ReturnType<typeof createCostAccumulator>;
  readonly remaining: { rows: number; held: number; estimatedMicros: number };
  readonly failures: HeaderFailure[];
  failedTotal: number;
  lastFinished: string | null;
}

/** Counts one line (the `index`-th listed) into the tally. */
export function tallyLine(
  t: Tally,
  line: ResultLine,
  estimateMicros: number,
  costMicros: number,
  index: number,
): void {
  const model = line.model as ModelId;
  const quality = line.quality as Quality | null;
  if (line.status === "removed") {
    // Listed, and what it cost stays spent; it is no longer one of the batch's rows.
    t.acc.addSpent({ model, quality, actualMicros: costMicros });
    return;
  }
  const done = line.status === "succeeded" || line.status === "failed";
  t.acc.add({
    model,
    quality,
    images: line.images.length,
    estimatedMicros: estimateMicros,
    status: done ? (line.status as "succeeded" | "failed") : "pending",
    actualMicros: done ? costMicros : null,
  });
  if (!done) {
    t.remaining.rows += 1;
    t.remaining.estimatedMicros += estimateMicros;
    if (line.status === "held") t.remaining.held += 1;
  }
  if (line.status === "failed") {
    t.failedTotal += 1;
    if (t.failures.length < FAILURES_LISTED)
      t.failures.push({ id: line.id, reason: line.error ?? "failed", page: pageOf(index) });
  }
  if (line.finished_at && (t.lastFinished === null || line.finished_at > t.lastFinished))
    t.lastFinished = line.finished_at;
}

export function createTally(): Tally {
  return {
    acc: createCostAccumulator(),
    remaining: { rows: 0, held: 0, estimatedMicros: 0 },
    failures: [],
    failedTotal: 0,
    lastFinished: null,
  };
}
