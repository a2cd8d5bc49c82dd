/**
 * What `status` shows about a batch, computed from its record and per-tier counters (and what it
 * waits for, waiting-for.ts); and the list of recent batches as a table. Pure.
 */
import path from "node:path";
import { roughDuration } from "../core/duration.js";
import { formatUsd, parseUsd } from "../core/money.js";
import type { BatchRecord } from "../ledger/batch-record.js";

interface TierStatus {
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
  /** The batch's directory (absolute). */
  readonly out: string;
  /** The manifest it was submitted from: its path, or the name it was read under (`stdin`). */
  readonly manifest: string;
  readonly rows: {
    total: number;
    pending: number;
    in_flight: number;
    succeeded: number;
    failed: number;
    held_by_budget: number;
    /** Rows of a canceled batch that never ran. */
    canceled: number;
    /** Rows in flight whose worker stopped: they wait for its lock to expire. */
    waiting_for_lock: number;
  };
  readonly images: number;
  readonly money: { estimated_usd: string; spent_usd: string; reserved_usd: string; cap_usd: string | null };
  readonly by_tier: readonly TierStatus[];
  /** Rows finished per minute since the batch started, and the time left at that pace. */
  readonly rows_per_minute: number | null;
  readonly eta_seconds: number | null;
  /** Since the batch started, until it ended (or now). */
  readonly elapsed_seconds: number | null;
  readonly ended_at: string | null;
  readonly end_reason: string | null;
  /** What the batch is waiting for, most pressing first (waiting-for.ts); empty while it simply works. */
  readonly waiting_for: readonly string[];
}

/** What status knows beside the record: what the batch waits for, and rows held by stopped workers' locks. */
export interface StatusExtra {
  readonly waitingFor?: readonly string[];
  readonly orphaned?: number;
}

interface EstimateTier {
  model: string;
  quality: string | null;
  rows: number;
  estimated_usd: string;
}

/** The manifest as people named it: its path, or `stdin` for one read from standard input. */
function manifestName(record: BatchRecord): string {
  const { label, path } = record.submission.manifest;
  return label ?? path;
}

export function batchStatus(
  record: BatchRecord,
  tiers: Readonly<Record<string, number>>,
  now: Date,
  extra: StatusExtra = {},
): BatchStatus {
  const estimate: readonly EstimateTier[] = record.submission.estimate.by_tier;
  const counter = (model: string, quality: string | null, name: string) =>
    tiers[`${model}|${quality ?? "-"}|${name}`] ?? 0;
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
  const until = record.endedAt !== null ? Date.parse(record.endedAt) : now.getTime();
  const minutes = (until - started) / 60_000;
  const perMinute = Number.isFinite(minutes) && minutes > 0 && finished > 0 ? finished / minutes : null;
  const rows = record.submission.rows;
  const left = rows - finished;
  const canceled = record.state === "canceled" ? Math.max(0, left) : 0;
  const ended = record.endedAt !== null;
  return {
    batch: record.id,
    state: record.state,
    created_at: record.submission.createdAt,
    out: record.submission.out,
    manifest: manifestName(record),
    rows: {
      total: rows,
      pending: ended ? 0 : Math.max(0, left - record.inFlight - record.held),
      in_flight: record.inFlight,
      succeeded: record.succeeded,
      failed: record.failed,
      held_by_budget: record.held,
      canceled,
      waiting_for_lock: extra.orphaned ?? 0,
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
    eta_seconds:
      perMinute === null || left <= 0 || ended || record.state === "budget"
        ? null
        : Math.round((left / perMinute) * 60),
    elapsed_seconds: Number.isFinite(started) ? Math.max(0, Math.round((until - started) / 1_000)) : null,
    ended_at: record.endedAt,
    end_reason: record.endReason,
    waiting_for: extra.waitingFor ?? [],
  };
}

/** Column widths of the per-tier table. */
const WIDTHS = [28, 7, 7, 7, 6, 7, 11, 11, 10];
const pad = (text: string, width: number, right = false) =>
  right ? text.padStart(width) : text.padEnd(width);

export function renderStatus(s: BatchStatus): string {
  const r = s.rows;
  const ended =
    s.ended_at === null ? "" : ` · ended ${s.ended_at}${s.end_reason ? ` (${s.end_reason})` : ""}`;
  const lines = [
    `batch ${s.batch} · ${s.state} · created ${s.created_at}${ended}`,
    `rows: ${r.total} total · ${r.succeeded} succeeded · ${r.failed} failed · ${r.in_flight} in flight · ` +
      `${r.pending} pending · ${r.held_by_budget} held by budget` +
      (r.canceled > 0 ? ` · ${r.canceled} canceled` : "") +
      (r.waiting_for_lock > 0 ? ` · ${r.waiting_for_lock} waiting for a stopped worker's lock` : ""),
    `images: ${s.images} · estimated $${s.money.estimated_usd} · spent $${s.money.spent_usd} · ` +
      `reserved $${s.money.reserved_usd}` +
      (s.money.cap_usd === null ? " · no cap" : ` · cap $${s.money.cap_usd}`),
  ];
  const timing = [
    s.elapsed_seconds === null ? "not started" : `elapsed ${roughDuration(s.elapsed_seconds * 1_000)}`,
    s.rows_per_minute === null ? null : `pace ${s.rows_per_minute} rows/min`,
    s.eta_seconds === null ? null : `about ${roughDuration(s.eta_seconds * 1_000)} left`,
  ].filter((part): part is string => part !== null);
  lines.push(timing.join(" · "));
  for (const wait of s.waiting_for) lines.push(`waiting for ${wait}`);
  const columns = (cells: readonly string[]) =>
    cells.map((cell, i) => pad(cell, WIDTHS[i] ?? 0, i > 1)).join(" ");
  lines.push(
    "",
    columns(["model", "quality", "rows", "done", "failed", "images", "estimated", "spent", "reserved"]),
  );
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

/** A path as short as it is clear: relative when it is under `cwd`, else absolute. */
function shortPath(file: string, cwd: string | undefined): string {
  if (cwd === undefined || !path.isAbsolute(file)) return file;
  const relative = path.relative(cwd, file);
  return relative === "" ? "." : relative.startsWith("..") || path.isAbsolute(relative) ? file : relative;
}

/**
 * Recent batches as a table: a header row, then one aligned row each, failed apart from
 * succeeded, and where each one's results and manifest are (relative to `cwd` when under it).
 */
export function renderBatchTable(records: readonly BatchRecord[], options: { cwd?: string } = {}): string {
  const header = [
    "batch",
    "created",
    "state",
    "rows",
    "succeeded",
    "failed",
    "spent",
    "cap",
    "directory",
    "manifest",
  ];
  const rows = records.map((r) => [
    r.id,
    r.submission.createdAt.slice(0, 19).replace("T", " ") + " UTC",
    r.state,
    String(r.submission.rows),
    String(r.succeeded),
    String(r.failed),
    "$" + formatUsd(r.spentMicros),
    r.capMicros === null ? "no cap" : "$" + formatUsd(r.capMicros),
    shortPath(r.submission.out, options.cwd),
    shortPath(manifestName(r), options.cwd),
  ]);
  const widths = header.map((title, i) =>
    Math.max(title.length, ...rows.map((row) => (row[i] ?? "").length)),
  );
  const numeric = new Set([3, 4, 5, 6]);
  const line = (cells: readonly string[]) =>
    cells
      .map((cell, i) => pad(cell, widths[i] ?? 0, numeric.has(i)))
      .join("  ")
      .trimEnd() + "\n";
  return line(header.map((h) => h.toUpperCase())) + rows.map(line).join("");
}
