/**
 * cost-report.json and cost-report.md from the batch's totals. Pure: amounts arrive as integer
 * micro-dollars and leave as decimal strings.
 */
import { formatUsd } from "../core/money.js";
import { costSummaryJson, type CostSummary } from "../pricing/totals.js";

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
}

export function costReportJson(input: CostReportInput): Record<string, unknown> {
  const { totals, by_tier } = costSummaryJson(input.summary, { includeActual: true });
  return {
    batch: input.batch,
    generated_at: input.generatedAt.toISOString(),
    state: input.state,
    totals,
    by_tier,
    remaining: { rows: input.remaining.rows, held_by_budget: input.remaining.held, estimated_usd: formatUsd(input.remaining.estimatedMicros) },
    budget: {
      cap_usd: input.capMicros === null ? null : formatUsd(input.capMicros),
      spent_usd: formatUsd(input.summary.actualMicros),
      reserved_usd: formatUsd(input.reservedMicros),
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
    `Generated ${input.generatedAt.toISOString()} · state: **${input.state}**`,
    "",
    "| rows | succeeded | failed | remaining | images | estimated | actual |",
    "|---:|---:|---:|---:|---:|---:|---:|",
    `| ${s.rows} | ${s.succeeded} | ${s.failed} | ${input.remaining.rows} | ${s.images} | ${money(s.estimatedMicros)} | ${money(s.actualMicros)} |`,
    "",
    "## By model and quality",
    "",
    "| model | quality | rows | images | estimated | actual |",
    "|---|---|---:|---:|---:|---:|",
    ...s.byTier.map((t) => `| ${t.model} | ${t.quality ?? "—"} | ${t.rows} | ${t.images} | ${money(t.estimatedMicros)} | ${money(t.actualMicros)} |`),
    "",
  ];
  if (input.capMicros !== null || input.remaining.rows > 0) {
    lines.push("## Budget", "");
    if (input.capMicros !== null) lines.push(`- Cap: ${money(input.capMicros)}; spent ${money(s.actualMicros)}; reserved for runs in flight ${money(input.reservedMicros)}.`);
    if (input.remaining.rows > 0) {
      lines.push(`- Not done: ${input.remaining.rows} rows (${input.remaining.held} held by the budget cap), estimated at ${money(input.remaining.estimatedMicros)}.`);
      if (input.state === "budget") lines.push(`- To finish, raise the cap: \`runflow-batch budget ${input.batch} --max-cost USD\`, or run again with a higher \`--max-cost\`.`);
    }
    lines.push("");
  }
  const assumptions = input.prices.assumptions;
  lines.push(`Prices: ${String(input.prices.source ?? "")}. Actual cost is Runflow's reported \`cost\` where present, otherwise the price table; failed runs cost nothing.`);
  if (Array.isArray(assumptions)) for (const a of assumptions) lines.push(`- Assumed: ${String(a)}`);
  return lines.join("\n") + "\n";
}
