/** The closing lines commands print after writing reports. */
import { formatUsd } from "../core/money.js";
import type { CostReportInput } from "./cost-report.js";

export function reportSummaryLine(input: CostReportInput, outDir: string): string {
  const s = input.summary;
  const lines = [
    `batch ${input.batch}: ${s.succeeded} succeeded, ${s.failed} failed, ${input.remaining.rows} not done; ` +
      `${s.images} images; spent $${formatUsd(s.actualMicros)} of $${formatUsd(s.estimatedMicros)} estimated`,
  ];
  if (input.remaining.rows > 0) {
    const { rows, held, estimatedMicros } = input.remaining;
    lines.push(
      `not done: ${rows} rows (${held} held by the budget), estimated $${formatUsd(estimatedMicros)}`,
    );
  }
  lines.push(`reports: ${outDir}/report.html, cost-report.md, results.jsonl, results.csv, cost-report.json`);
  return lines.join("\n") + "\n";
}
