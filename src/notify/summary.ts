/**
 * What a notification says when a batch ends: one JSON document a webhook can act on without
 * asking back — the batch, how it ended and why, rows by state, images, estimated and actual
 * cost, and where the reports are. Built from the same figures the reports print. Pure.
 */
import { formatUsd } from "../core/money.js";

const NOTIFICATION_EVENT = "batch.ended";

export interface BatchEndFacts {
  readonly batch: string;
  readonly state: string;
  /** Why it ended, when that is not plain (gave up, canceled). */
  readonly reason: string | null;
  readonly rows: {
    readonly total: number;
    readonly succeeded: number;
    readonly failed: number;
    /** Rows that never ran: canceled, or left when the batch stopped at the cap. */
    readonly notDone: number;
  };
  readonly images: number;
  readonly estimatedMicros: number;
  readonly actualMicros: number;
  readonly capMicros: number | null;
  readonly startedAt: string | null;
  readonly endedAt: string;
  readonly outDir: string;
  /** Absolute paths of the report files written. */
  readonly reports: readonly string[];
}

export interface NotificationBody {
  readonly event: typeof NOTIFICATION_EVENT;
  readonly batch: string;
  readonly state: string;
  readonly reason: string | null;
  readonly rows: { total: number; succeeded: number; failed: number; canceled: number; not_done: number };
  readonly images: number;
  readonly cost: { estimated_usd: string; actual_usd: string; cap_usd: string | null };
  readonly started_at: string | null;
  readonly ended_at: string;
  readonly duration_seconds: number | null;
  readonly out_dir: string;
  readonly reports: Readonly<Record<string, string>>;
}

/** "report.html" → "html", "cost-report.json" → "cost_report_json", "results.csv" → "results_csv". */
function reportKey(file: string): string {
  const base = file.split(/[\\/]/).pop() ?? file;
  if (base === "report.html") return "html";
  return base.replace(/[^A-Za-z0-9]+/g, "_").toLowerCase();
}

export function notificationBody(facts: BatchEndFacts): NotificationBody {
  const started = facts.startedAt ? Date.parse(facts.startedAt) : NaN;
  const ended = Date.parse(facts.endedAt);
  const duration =
    Number.isFinite(started) && Number.isFinite(ended)
      ? Math.max(0, Math.round((ended - started) / 1_000))
      : null;
  const canceled = facts.state === "canceled" ? facts.rows.notDone : 0;
  return {
    event: NOTIFICATION_EVENT,
    batch: facts.batch,
    state: facts.state,
    reason: facts.reason,
    rows: {
      total: facts.rows.total,
      succeeded: facts.rows.succeeded,
      failed: facts.rows.failed,
      canceled,
      not_done: facts.rows.notDone - canceled,
    },
    images: facts.images,
    cost: {
      estimated_usd: formatUsd(facts.estimatedMicros),
      actual_usd: formatUsd(facts.actualMicros),
      cap_usd: facts.capMicros === null ? null : formatUsd(facts.capMicros),
    },
    started_at: facts.startedAt,
    ended_at: facts.endedAt,
    duration_seconds: duration,
    out_dir: facts.outDir,
    reports: Object.fromEntries(facts.reports.map((file) => [reportKey(file), file])),
  };
}
