/**
 * What `status` shows about a batch, computed from its record and per-tier counters. Pure.
 */
import { formatUsd, parseUsd } from "../core/money.js";
import type { BatchRecord } from "../ledger/batch-record.js";

export interface TierStatus {
  readonly model: string;
  readonly quality: string | null;
  readonly rows: number;
  readonly succeeded: number;
  readonly failed: number;
  readonly images: number;
  readonly estimated_usd: string;
  readonly spent_usd: string;
  readonly reserved_usd: string;
}

export interface BatchStatus {
  readonly batch: string;
  readonly state: string;
  readonly created_at: string;
  readonly rows: { total: number; pending: number; in_flight: number; succeeded: number; failed: number; held_by_budget: number };
  readonly images: number;
  readonly money: { estimated_usd: string; spent_usd: string; reserved_usd: string; cap_usd: string | null };
  readonly by_tier: readonly TierStatus[];
  /** Rows finished per minute since the batch started, and the time left at that pace. */
  readonly rows_per_minute: number | null;
  readonly eta_seconds: number | null;
}

interface EstimateTier {
  model: string;
  quality: string | null;
  rows: number;
  estimated_usd: string;
}

export function batchStatus(record: BatchRecord, tiers: Readonly<Record<string, number>>, now: Date): BatchStatus {
  const estimate: readonly EstimateTier[] = record.submission.estimate.by_tier;
  const counter = (model: string, quality: string | null, name: string) => tiers[`${model}|${quality ?? "-"}|${name}`] ?? 0;
  const byTier = estimate.map((t) => ({
    model: t.model,
    quality: t.quality,
    rows: t.rows,
    succeeded: counter(t.model, t.quality, "succeeded"),
    failed: counter(t.model, t.quality, "failed"),
    images: counter(t.model, t.quality, "images"),
    estimated_usd: formatUsd(parseUsd(t.estimated_usd)),
    spent_usd: formatUsd(counter(t.model, t.quality, "actual")),
    reserved_usd: formatUsd(counter(t.model, t.quality, "reserved")),
  }));
  const finished = record.succeeded + record.failed;
  const started = record.startedAt ? Date.parse(record.startedAt) : NaN;
  const minutes = (now.getTime() - started) / 60_000;
  const perMinute = Number.isFinite(minutes) && minutes > 0 && finished > 0 ? finished / minutes : null;
  const rows = record.submission.rows;
  const left = rows - finished;
  return {
    batch: record.id,
    state: record.state,
    created_at: record.submission.createdAt,
    rows: {
      total: rows,
      pending: Math.max(0, left - record.inFlight - record.held),
      in_flight: record.inFlight,
      succeeded: record.succeeded,
      failed: record.failed,
      held_by_budget: record.held,
    },
    images: record.images,
    money: {
      estimated_usd: formatUsd(record.submission.estimate.micros),
      spent_usd: formatUsd(record.spentMicros),
      reserved_usd: formatUsd(record.reservedMicros),
      cap_usd: record.capMicros === null ? null : formatUsd(record.capMicros),
    },
    by_tier: byTier,
    rows_per_minute: perMinute === null ? null : Math.round(perMinute * 10) / 10,
    eta_seconds: perMinute === null || left === 0 || record.state === "budget" ? null : Math.round((left / perMinute) * 60),
  };
}

/** Column widths of the per-tier table. */
const WIDTHS = [28, 7, 7, 7, 6, 7, 11, 11, 10];
const pad = (text: string, width: number, right = false) => (right ? text.padStart(width) : text.padEnd(width));

function duration(seconds: number): string {
  if (seconds < 90) return `${seconds}s`;
  if (seconds < 5_400) return `${Math.round(seconds / 60)}m`;
  return `${Math.floor(seconds / 3_600)}h${String(Math.round((seconds % 3_600) / 60)).padStart(2, "0")}m`;
}

export function renderStatus(s: BatchStatus): string {
  const r = s.rows;
  const lines = [
    `batch ${s.batch} · ${s.state} · created ${s.created_at}`,
    `rows: ${r.total} total · ${r.succeeded} succeeded · ${r.failed} failed · ${r.in_flight} in flight · ` +
      `${r.pending} pending · ${r.held_by_budget} held by budget`,
    `images: ${s.images} · estimated $${s.money.estimated_usd} · spent $${s.money.spent_usd} · ` +
      `reserved $${s.money.reserved_usd}` +
      (s.money.cap_usd === null ? " · no cap" : ` · cap $${s.money.cap_usd}`),
  ];
  if (s.rows_per_minute !== null) lines.push(`pace: ${s.rows_per_minute} rows/min` + (s.eta_seconds !== null ? ` · about ${duration(s.eta_seconds)} left` : ""));
  const columns = (cells: readonly string[]) => cells.map((cell, i) => pad(cell, WIDTHS[i] ?? 0, i > 1)).join(" ");
  lines.push("", columns(["model", "quality", "rows", "done", "failed", "images", "estimated", "spent", "reserved"]));
  for (const t of s.by_tier) {
    lines.push(
      columns([
        t.model,
        t.quality ?? "—",
        String(t.rows),
        String(t.succeeded),
        String(t.failed),
        String(t.images),
        "$" + t.estimated_usd,
        "$" + t.spent_usd,
        "$" + t.reserved_usd,
      ]),
    );
  }
  return lines.join("\n") + "\n";
}

export function renderBatchLine(record: BatchRecord): string {
  const done = record.succeeded + record.failed;
  const cap = record.capMicros === null ? "no cap" : `cap $${formatUsd(record.capMicros)}`;
  const created = record.submission.createdAt.slice(0, 19).replace("T", " ");
  const rows = pad(`${done}/${record.submission.rows}`, 15, true);
  const spent = pad(formatUsd(record.spentMicros), 10);
  return `${pad(record.id, 16)} ${created}  ${rows} rows  spent $${spent} ${pad(cap, 16)} ${record.state}\n`;
}
