/**
 * cost-report.json and cost-report.md from the batch's totals. Pure: amounts arrive as integer
 * micro-dollars and leave as decimal strings.
 */
import { formatUsd } from "../core/money.js";
import { costSummaryJson, type CostSummary } from "../pricing/totals.js";
import type { BudgetHistoryEntry } from "./budget-view.js";
import { formatDuration } from "../core/duration.js";

interface Failure {
  readonly id: string;
  readonly reason: string;
}

/** Failures listed in cost-report.json and report.html; results.csv has every one. */
export const FAILURES_LISTED = 1_000;
/** Failures listed in cost-report.md. */
const FAILURES_IN_MARKDOWN = 100;

export interface CostReportInput {
  readonly batch: string;
  readonly generatedAt: Date;
  readonly summary: CostSummary;
  readonly prices: Record<string, unknown>;
  readonly state: string;
  readonly capMicros: number | null;
  readonly reservedMicros: number;
  /** Rows not finished (pending or held by the budget) and what they would cost. */
  readonly remaining: { readonly rows: number; readonly held: number; readonly estimatedMicros: number };
  /** The manifest's path as the batch recorded it. */
  readonly manifest: string;
  readonly startedAt: string | null;
  /** When the last row finished, once every row has. */
  readonly finishedAt: string | null;
  /** started → finished, or → now while the batch is not finished. */
  readonly durationMs: number | null;
  /** Every failure counted; the first FAILURES_LISTED listed, in report order. */
  readonly failures: { readonly total: number; readonly listed: readonly Failure[] };
  readonly budgetHistory: readonly BudgetHistoryEntry[];
}

export function costReportJson(input: CostReportInput): Record<string, unknown> {
  const { totals, by_tier } = costSummaryJson(input.summary, { includeActual: true });
  return {
    batch: input.batch,
    manifest: input.manifest,
    generated_at: input.generatedAt.toISOString(),
    state: input.state,
    started_at: input.startedAt,
    finished_at: input.finishedAt,
    duration_ms: input.durationMs,
    totals,
    by_tier,
    remaining: {
      rows: input.remaining.rows,
      held_by_budget: input.remaining.held,
      estimated_usd: formatUsd(input.remaining.estimatedMicros),
    },
    budget: {
      cap_usd: input.capMicros === null ? null : formatUsd(input.capMicros),
      spent_usd: formatUsd(input.summary.actualMicros),
      reserved_usd: formatUsd(input.reservedMicros),
      history: input.budgetHistory,
    },
    failures: {
      total: input.failures.total,
      listed: input.failures.listed,
      more: input.failures.total - input.failures.listed.length,
    },
    prices: input.prices,
  };
}

const money = (micros: number) => `$${formatUsd(micros)}`;

export function costReportMarkdown(input: CostReportInput): string {
  const s = input.summary;
  const lines = [
    `# Cost report — batch ${input.batch}`,
    "",
    `Manifest \`${input.manifest}\` · generated ${input.generatedAt.toISOString()} · ` +
      `state: **${input.state}**`,
    "",
    `Started ${input.startedAt ?? "—"} · finished ${input.finishedAt ?? "—"} · ` +
      `duration ${formatDuration(input.durationMs)}` +
      (input.finishedAt === null && input.durationMs !== null ? " so far" : ""),
    "",
    "| rows | succeeded | failed | remaining | images | estimated | actual |",
    "|---:|---:|---:|---:|---:|---:|---:|",
    `| ${s.rows} | ${s.succeeded} | ${s.failed} | ${input.remaining.rows} | ${s.images} | ` +
      `${money(s.estimatedMicros)} | ${money(s.actualMicros)} |`,
    "",
    "## By model and quality",
    "",
    "| model | quality | rows | images | estimated | actual |",
    "|---|---|---:|---:|---:|---:|",
    ...s.byTier.map(
      (t) =>
        `| ${t.model} | ${t.quality ?? "—"} | ${t.rows} | ${t.images} | ` +
        `${money(t.estimatedMicros)} | ${money(t.actualMicros)} |`,
    ),
    "",
  ];
  lines.push(...failuresMarkdown(input));
  if (input.capMicros !== null || input.remaining.rows > 0 || input.budgetHistory.length > 0) {
    lines.push("## Budget", "");
    if (input.capMicros !== null) {
      lines.push(
        `- Cap: ${money(input.capMicros)}; spent ${money(s.actualMicros)}; ` +
          `reserved for runs in flight ${money(input.reservedMicros)}.`,
      );
    }
    if (input.remaining.rows > 0) {
      lines.push(
        `- Not done: ${input.remaining.rows} rows (${input.remaining.held} held by the budget cap), ` +
          `estimated at ${money(input.remaining.estimatedMicros)}.`,
      );
      if (input.state === "budget") {
        lines.push(
          `- To finish, raise the cap: \`runflow-batch budget ${input.batch} --max-cost USD\`, ` +
            "or run again with a higher `--max-cost`.",
        );
      }
    }
    if (input.budgetHistory.length > 0) {
      lines.push("", "| when | budget event |", "|---|---|");
      for (const entry of input.budgetHistory) lines.push(`| ${entry.at ?? "—"} | ${cell(entry.text)} |`);
    }
    lines.push("");
  }
  const assumptions = input.prices.assumptions;
  lines.push(
    `Prices: ${String(input.prices.source ?? "")}. Actual cost is Runflow's reported \`cost\` ` +
      "where present, otherwise the price table; failed runs cost nothing.",
  );
  if (Array.isArray(assumptions)) for (const a of assumptions) lines.push(`- Assumed: ${String(a)}`);
  return lines.join("\n") + "\n";
}

/** Text safe inside a markdown table cell: one line, pipes escaped. */
function cell(text: string): string {
  return text.replace(/\r?\n/g, " ").replaceAll("|", "\\|");
}

function failuresMarkdown(input: CostReportInput): string[] {
  const { total, listed } = input.failures;
  if (total === 0) return [];
  const shown = listed.slice(0, FAILURES_IN_MARKDOWN);
  const lines = [
    `## Failures (${total})`,
    "",
    "| id | reason |",
    "|---|---|",
    ...shown.map((f) => `| ${cell(f.id)} | ${cell(f.reason)} |`),
  ];
  if (total > shown.length) {
    const rest = `… and ${total - shown.length} more`;
    lines.push("", `${rest}: every failed row is in results.csv (status \`failed\`, column \`error\`).`);
  }
  lines.push("");
  return lines;
}
