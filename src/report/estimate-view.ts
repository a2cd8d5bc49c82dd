/**
 * What `estimate` prints: a table a person reads at a glance, or JSON for scripts (the
 * `totals` / `by_tier` shapes of cost-report.json, without actual figures). Pure.
 */
import type { ManifestScan } from "../pricing/scan.js";
import { formatUsd } from "../core/money.js";
import { pricesJson } from "../pricing/prices-file.js";
import type { TierScenario } from "../pricing/what-if.js";
import { costSummaryJson } from "../pricing/totals.js";

const count = (value: number) => value.toLocaleString("en-US");

/** 1234567.5 USD as "1,234,567.500": grouped, exact, at least 3 decimals. */
function usd(micros: number): string {
  const text = formatUsd(micros);
  const [whole = "0", fraction] = text.replace("-", "").split(".");
  const grouped = whole.replace(/\B(?=(\d{3})+(?!\d))/g, ",");
  return `${micros < 0 ? "-" : ""}${grouped}${fraction === undefined ? "" : `.${fraction}`}`;
}

function table(rows: readonly (readonly string[])[], rightAligned: readonly boolean[]): string[] {
  const widths =
    rows[0]?.map((_, column) => Math.max(...rows.map((row) => (row[column] ?? "").length))) ?? [];
  return rows.map((row) =>
    row
      .map((cell, column) =>
        rightAligned[column] ? cell.padStart(widths[column] ?? 0) : cell.padEnd(widths[column] ?? 0),
      )
      .join("  ")
      .trimEnd(),
  );
}

export function renderEstimateTable(
  scan: ManifestScan,
  scenarios: readonly TierScenario[],
  skippedInvalid: boolean,
): string {
  const { cost } = scan;
  const lines: string[] = [];
  const validity =
    scan.invalidRows === 0
      ? "all valid"
      : `${count(scan.invalidRows)} invalid ${skippedInvalid ? "(skipped, listed on stderr)" : ""}`.trimEnd();
  const rows = `${count(scan.rows)} row${scan.rows === 1 ? "" : "s"}`;
  lines.push(`${scan.file}: ${rows}, ${validity}. Prices: ${scan.prices.source}.`, "");
  const body: string[][] = [["model", "quality", "rows", "images", "estimated USD"]];
  for (const tier of cost.byTier) {
    body.push([
      tier.model,
      tier.quality ?? "per request",
      count(tier.rows),
      count(tier.images),
      usd(tier.estimatedMicros),
    ]);
  }
  body.push(["total", "", count(cost.rows), count(cost.images), usd(cost.estimatedMicros)]);
  const rendered = table(body, [false, false, true, true, true]);
  const rule = "-".repeat(Math.max(...rendered.map((line) => line.length)));
  lines.push(rendered[0] ?? "", rule, ...rendered.slice(1, -1), rule, rendered.at(-1) ?? "", "");
  lines.push("If every per-image row were at one tier (per-request rows unchanged):");
  const scenarioRows = scenarios.map((scenario) => [
    `  all ${scenario.quality}`,
    scenario.micros === null ? `n/a (${scenario.missing ?? "no price"})` : usd(scenario.micros),
  ]);
  lines.push(...table(scenarioRows, [false, true]));
  if (scan.prices.assumptions.length > 0) {
    lines.push("", "Assumptions:", ...scan.prices.assumptions.map((note) => `  - ${note}`));
  }
  return `${lines.join("\n")}\n`;
}

export function estimateJson(
  scan: ManifestScan,
  scenarios: readonly TierScenario[],
): Record<string, unknown> {
  const ifAllAt: Record<string, string | null> = {};
  for (const scenario of scenarios)
    ifAllAt[scenario.quality] = scenario.micros === null ? null : formatUsd(scenario.micros);
  return {
    manifest: scan.file,
    ...costSummaryJson(scan.cost, { includeActual: false }),
    invalid_rows: scan.invalidRows,
    if_all_at: ifAllAt,
    prices: pricesJson(scan.prices),
  };
}
