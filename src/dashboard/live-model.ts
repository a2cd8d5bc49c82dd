/**
 * The header of a live batch page, from the batch record, its per-tier counters and its budget
 * history: cheap to read every few seconds, exact (the counters every worker keeps). Pure.
 */
import { parseUsd } from "../core/money.js";
import type { BatchRecord } from "../ledger/batch-record.js";
import type { BudgetEvent } from "../ledger/budget-history.js";
import { budgetHistoryEntries } from "../report/budget-view.js";
import { between } from "../core/duration.js";
import type { HeaderFailure, HeaderModel } from "../report/html/header.js";
import { batchStatus } from "../report/status-view.js";

export function liveHeader(
  record: BatchRecord,
  tiers: Readonly<Record<string, number>>,
  events: readonly BudgetEvent[],
  failures: readonly HeaderFailure[],
  now: Date,
): HeaderModel {
  const status = batchStatus(record, tiers, now);
  const counter = (model: string, quality: string | null, name: string) =>
    tiers[`${model}|${quality ?? "-"}|${name}`] ?? 0;
  const rows = record.submission.rows;
  const finished = record.succeeded + record.failed;
  const done = finished >= rows;
  const startedAt = record.startedAt || null;
  const byTier = record.submission.estimate.by_tier;
  return {
    batch: record.id,
    manifest: record.submission.manifest.path,
    state: record.state,
    generatedAt: now.toISOString(),
    startedAt,
    finishedAt: null,
    durationMs: done ? null : between(startedAt, now.toISOString()),
    rows: {
      total: rows,
      succeeded: record.succeeded,
      failed: record.failed,
      pending: status.rows.pending,
      held: record.held,
      inFlight: record.inFlight,
    },
    images: record.images,
    estimatedMicros: record.submission.estimate.micros,
    actualMicros: record.spentMicros,
    reservedMicros: record.reservedMicros,
    remainingEstimateMicros: Math.max(0, record.submission.estimate.micros - record.doneEstimateMicros),
    capMicros: record.capMicros,
    tiers: byTier.map((t) => ({
      model: t.model,
      quality: t.quality,
      estimatedMicros: parseUsd(t.estimated_usd),
      actualMicros: counter(t.model, t.quality, "actual"),
    })),
    budgetHistory: budgetHistoryEntries(events, {
      stoppedByCap: record.state === "budget" || (record.budgetBlocked && finished < rows),
      capMicros: record.capMicros,
      spentMicros: record.spentMicros,
    }),
    failures: { total: record.failed, listed: failures },
    pace: { rowsPerMinute: status.rows_per_minute, etaSeconds: status.eta_seconds },
  };
}
