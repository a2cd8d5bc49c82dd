/**
 * The top of a batch page (report.html and the dashboard's batch page): batch, manifest, state,
 * times (shown in the viewer's zone: local-time.ts), rows by state, images, estimated vs actual
 * cost, the cap and its history, the cost chart and the failures list. Pure.
 */
import { formatUsd } from "../../core/money.js";
import type { BudgetHistoryEntry } from "../budget-view.js";
import type { CostReportInput } from "../cost-report.js";
import { formatDuration } from "../../core/duration.js";
import { costChartSvg, tierName, type ChartTier } from "./cost-chart.js";
import { esc } from "./escape.js";
import { timeHtml } from "./local-time.js";

export interface HeaderFailure {
  readonly id: string;
  readonly reason: string;
  /** Page (1-based) whose contact sheet has the row, when known. */
  readonly page?: number;
}

export interface HeaderModel {
  readonly batch: string;
  readonly manifest: string;
  readonly state: string;
  readonly generatedAt: string;
  readonly startedAt: string | null;
  readonly finishedAt: string | null;
  readonly durationMs: number | null;
  readonly rows: {
    total: number;
    succeeded: number;
    failed: number;
    pending: number;
    held: number;
    inFlight: number;
  };
  readonly images: number;
  readonly estimatedMicros: number;
  readonly actualMicros: number;
  readonly reservedMicros: number;
  readonly remainingEstimateMicros: number;
  readonly capMicros: number | null;
  readonly tiers: readonly ChartTier[];
  readonly budgetHistory: readonly BudgetHistoryEntry[];
  readonly failures: { readonly total: number; readonly listed: readonly HeaderFailure[] };
  /** Live pages: rows a minute and seconds left. */
  readonly pace?: { readonly rowsPerMinute: number | null; readonly etaSeconds: number | null };
}

export function headerFromReport(
  input: CostReportInput,
  inFlight: number,
  failures: readonly HeaderFailure[],
): HeaderModel {
  const s = input.summary;
  return {
    batch: input.batch,
    manifest: input.manifest,
    state: input.state,
    generatedAt: input.generatedAt.toISOString(),
    startedAt: input.startedAt,
    finishedAt: input.finishedAt,
    durationMs: input.durationMs,
    rows: {
      total: s.rows,
      succeeded: s.succeeded,
      failed: s.failed,
      pending: Math.max(0, input.remaining.rows - input.remaining.held - inFlight),
      held: input.remaining.held,
      inFlight,
    },
    images: s.images,
    estimatedMicros: s.estimatedMicros,
    actualMicros: s.actualMicros,
    reservedMicros: input.reservedMicros,
    remainingEstimateMicros: input.remaining.estimatedMicros,
    capMicros: input.capMicros,
    tiers: s.byTier.map((t) => ({
      model: t.model,
      quality: t.quality,
      estimatedMicros: t.estimatedMicros,
      actualMicros: t.actualMicros,
    })),
    budgetHistory: input.budgetHistory,
    failures: { total: input.failures.total, listed: failures },
  };
}

const usd = (micros: number) => `$${formatUsd(micros)}`;
const count = (n: number) => n.toLocaleString("en-US");

function fact(name: string, value: string, key: string): string {
  return `<div class="fact" data-fact="${key}"><dt>${esc(name)}</dt><dd>${value}</dd></div>`;
}

function rowsByState(m: HeaderModel): string {
  const r = m.rows;
  const parts: [string, number][] = [
    ["succeeded", r.succeeded],
    ["failed", r.failed],
    ["in flight", r.inFlight],
    ["pending", r.pending],
    ["held by budget", r.held],
  ];
  return parts
    .filter(([name, n]) => n > 0 || name === "succeeded" || name === "failed")
    .map(
      ([name, n]) =>
        `<span class="pill p-${name.replaceAll(" ", "-")}" data-state="${name}">${count(n)} ${name}</span>`,
    )
    .join(" ");
}

function budget(m: HeaderModel): string {
  const cap = m.capMicros === null ? "no cap" : `cap ${usd(m.capMicros)}`;
  const history = m.budgetHistory.map(
    (entry) => `<li data-kind="${entry.kind}">${timeHtml(entry.at)} ${esc(entry.text)}</li>`,
  );
  return (
    `${esc(cap)} · reserved ${usd(m.reservedMicros)}` +
    (history.length > 0 ? `<ol class="budget-history">${history.join("")}</ol>` : "")
  );
}

function failures(m: HeaderModel, pageHref: (page: number) => string): string {
  if (m.failures.total === 0) return "";
  const rows = m.failures.listed.map((f) => {
    const href = f.page === undefined ? "" : `${pageHref(f.page)}#q=${encodeURIComponent(f.id)}`;
    const where = f.page === undefined ? "" : ` <a class="where" href="${esc(href)}">page ${f.page}</a>`;
    const reason = `<td class="reason">${esc(f.reason)}</td>`;
    return `<tr data-id="${esc(f.id)}"><td class="id">${esc(f.id)}${where}</td>${reason}</tr>`;
  });
  const more = m.failures.total - m.failures.listed.length;
  return (
    `<details class="failures" open><summary>Failures (${count(m.failures.total)})</summary>` +
    `<table><thead><tr><th>id</th><th>reason</th></tr></thead><tbody>${rows.join("")}</tbody></table>` +
    (more > 0
      ? `<p class="note">… and ${count(more)} more: every failed row is in results.csv ` +
        `(status <code>failed</code>).</p>`
      : "") +
    `</details>`
  );
}

export function headerHtml(m: HeaderModel, pageHref: (page: number) => string): string {
  const duration =
    formatDuration(m.durationMs) + (m.finishedAt === null && m.durationMs !== null ? " so far" : "");
  const pace =
    m.pace === undefined
      ? ""
      : fact(
          "pace",
          (m.pace.rowsPerMinute === null ? "—" : `${m.pace.rowsPerMinute} rows/min`) +
            (m.pace.etaSeconds === null ? "" : ` · ETA ${formatDuration(m.pace.etaSeconds * 1_000)}`),
          "pace",
        );
  const done = m.rows.succeeded + m.rows.failed;
  const percent = m.rows.total === 0 ? 100 : Math.floor((done / m.rows.total) * 100);
  const actual = `<b class="actual">${usd(m.actualMicros)}</b>`;
  const estimated = `<span class="estimated">${usd(m.estimatedMicros)}</span>`;
  const remaining =
    m.remainingEstimateMicros > 0 ? ` · ${usd(m.remainingEstimateMicros)} estimated for rows not done` : "";
  return (
    `<header class="batch-header"><h1>Batch <span class="batch-id">${esc(m.batch)}</span> ` +
    `<span class="state st-${esc(m.state)}">${esc(m.state)}</span></h1>` +
    `<div class="progress" title="${done} of ${m.rows.total} rows finished">` +
    `<div style="width:${percent}%"></div></div>` +
    `<dl class="facts">` +
    fact("manifest", `<code>${esc(m.manifest)}</code>`, "manifest") +
    fact("started", timeHtml(m.startedAt), "started") +
    fact("finished", timeHtml(m.finishedAt), "finished") +
    fact("duration", esc(duration), "duration") +
    pace +
    fact("rows", `${count(m.rows.total)} · ${rowsByState(m)}`, "rows") +
    fact("images", count(m.images), "images") +
    fact("cost", `${actual} actual of ${estimated} estimated${remaining}`, "cost") +
    fact("budget", budget(m), "budget") +
    `</dl><p class="generated">generated ${timeHtml(m.generatedAt)}</p></header>` +
    `<section class="chart"><h2>Cost by model and tier</h2>${costChartSvg(m.tiers)}</section>` +
    failures(m, pageHref)
  );
}

/** The filter choices of the contact sheet: the models and tiers of the batch. */
export function filterChoices(tiers: readonly ChartTier[]): { models: string[]; tiers: string[] } {
  return {
    models: [...new Set(tiers.map((t) => t.model))],
    tiers: [...new Set(tiers.map((t) => tierName(t.quality)))],
  };
}
