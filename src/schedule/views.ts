/**
 * What `schedule list` and `schedule history` print: schedules with their next fire times (in
 * their zone and in UTC) and last occurrence, and a schedule's occurrences newest first. Pure.
 */
import { formatUsd } from "../core/money.js";
import type { BatchRecord } from "../ledger/batch-record.js";
import { durationText } from "../core/duration.js";
import { batchEnded } from "./batch-ended.js";
import type { ScheduleFile } from "./load.js";
import { keyText } from "./occurrence.js";
import type { OccurrenceEntry } from "./occurrence-store.js";
import { describeTime } from "./schedule.js";
import type { InstalledSchedule } from "./scheduler.js";
import { wallClock } from "./wall-clock.js";

export interface OccurrenceView {
  readonly entry: OccurrenceEntry;
  /** The occurrence's batch record, when it was started and its record is there. */
  readonly record: BatchRecord | null;
}

export interface ListedSchedule {
  readonly file: ScheduleFile;
  readonly installed: InstalledSchedule | null;
  /** The next fire times (ms), for a valid file. */
  readonly next: readonly number[];
  readonly last: OccurrenceView | null;
}

/** The state of an occurrence: its batch's, or skipped / missed / error / waiting. */
function stateOf(view: OccurrenceView): string {
  const { entry, record } = view;
  if (entry.outcome !== "started") return entry.outcome;
  if (!record) return entry.opened_ms === null ? "starting" : "gone";
  if (batchEnded(record) && (record.state === "submitted" || record.state === "running"))
    return record.failed > 0 ? "failed-rows" : "done";
  return record.state;
}

function rowsOf(record: BatchRecord | null): string {
  if (!record) return "";
  const done = record.succeeded + record.failed;
  return `${done}/${record.submission.rows}${record.failed > 0 ? ` (${record.failed} failed)` : ""}`;
}

/** `batch nightly-…, done, 6/6 rows, $0.345` or `skipped: the previous occurrence … was still running` */
function occurrenceSummary(view: OccurrenceView): string {
  const state = stateOf(view);
  const { entry, record } = view;
  if (entry.outcome !== "started") return `${state}${entry.reason ? `: ${entry.reason}` : ""}`;
  const parts = [`batch ${entry.batch ?? "?"}`, state];
  if (record) parts.push(`${rowsOf(record)} rows`, `$${formatUsd(record.spentMicros)}`);
  return parts.join(", ");
}

function scheduleLine(file: Extract<ScheduleFile, { ok: true }>): string {
  const s = file.schedule;
  const parts = [`cron "${s.cron}" in ${s.tz}`, `overlap ${s.overlap}`];
  if (s.startingDeadlineMs !== null) parts.push(`starting deadline ${durationText(s.startingDeadlineMs)}`);
  if (s.capMicros !== null) parts.push(`cap $${formatUsd(s.capMicros)}`);
  return parts.join(", ");
}

function syncState(item: ListedSchedule): string {
  if (!item.file.ok) return "";
  if (!item.file.schedule.enabled)
    return item.installed ? "disabled, but still in Redis: run `schedule sync`" : "disabled (enabled: false)";
  if (!item.installed) return "not in Redis yet: run `schedule sync` (serve does it at start)";
  return item.installed.hash === item.file.hash
    ? "in Redis, up to date"
    : "changed since the last sync: run `schedule sync`";
}

export function renderScheduleList(
  items: readonly ListedSchedule[],
  orphans: readonly InstalledSchedule[],
  shownDir: string,
): string {
  const out: string[] = [];
  if (items.length === 0 && orphans.length === 0)
    return `No schedule files (*.schedule.yaml, *.schedule.yml, *.schedule.json) in ${shownDir}.\n`;
  for (const item of items) {
    const { file } = item;
    if (!file.ok) {
      out.push(
        `${file.shown} — invalid (sync refuses until it is fixed):`,
        ...file.problems.map((p) => `  ${p.message}`),
        "",
      );
      continue;
    }
    const s = file.schedule;
    out.push(`${s.name} — ${file.shown}`, `  ${scheduleLine(file)}`, `  ${syncState(item)}`);
    item.next.forEach((ms, i) =>
      out.push(`  ${i === 0 ? "next" : "    "}  ${describeTime(ms, s.tz, s.seconds)}`),
    );
    if (item.last)
      out.push(`  last  ${keyText(item.last.entry.key)} ${s.tz}: ${occurrenceSummary(item.last)}`);
    else out.push("  last  no occurrence yet");
    out.push("");
  }
  for (const orphan of orphans)
    out.push(`${orphan.name} — in Redis only: its file is gone (schedule sync removes it)`, "");
  return out.join("\n");
}

function table(rows: readonly (readonly string[])[]): string {
  const widths = rows[0]?.map((_, i) => Math.max(...rows.map((r) => (r[i] ?? "").length))) ?? [];
  return (
    rows
      .map((r) =>
        r
          .map((cell, i) => (i === r.length - 1 ? cell : cell.padEnd(widths[i] ?? 0)))
          .join("  ")
          .trimEnd(),
      )
      .join("\n") + "\n"
  );
}

/**
 * An occurrence of a schedule that keeps one directory up to date shares its batch with the
 * others: its own share is the runs its plan made and what the batch spent from its start to the
 * next one's (`newer`, the next occurrence of the same batch), or to now.
 */
function ownShare(
  view: OccurrenceView,
  newer: OccurrenceView | undefined,
): { rows: string; cost: string } | null {
  const { entry, record } = view;
  if (!record || entry.runs === undefined || entry.spent_before_micros === undefined) return null;
  const until = newer?.entry.spent_before_micros ?? record.spentMicros;
  return {
    rows: `${entry.runs} run${entry.runs === 1 ? "" : "s"}`,
    cost: `$${formatUsd(Math.max(0, until - entry.spent_before_micros))}`,
  };
}

/** Newest first: due, started, batch, state, rows, cost, note (times on the schedule's clock). */
export function renderHistory(name: string, views: readonly OccurrenceView[], tz: string | null): string {
  if (views.length === 0) return `No occurrences of ${name} yet.\n`;
  const when = (ms: number | null) =>
    ms === null ? "" : tz ? wallClock(ms, tz, true).text : new Date(ms).toISOString();
  const rows = views.map((view, i) => {
    const { entry, record } = view;
    const started = entry.outcome === "started" ? entry.started_ms : null;
    const newer = views
      .slice(0, i)
      .reverse()
      .find((other) => other.entry.batch === entry.batch && other.entry.spent_before_micros !== undefined);
    const shared = entry.batch === name ? ownShare(view, newer) : null;
    const cost = shared ? shared.cost : record ? `$${formatUsd(record.spentMicros)}` : "";
    const note = entry.outcome === "started" ? (entry.manual ? "schedule run" : "") : (entry.reason ?? "");
    const rowsText = shared ? shared.rows : rowsOf(record);
    return [keyText(entry.key), when(started), entry.batch ?? "", stateOf(view), rowsText, cost, note];
  });
  const zone = tz ? ` (${tz})` : "";
  return table([[`DUE${zone}`, "STARTED", "BATCH", "STATE", "ROWS", "COST", "NOTE"], ...rows]);
}
