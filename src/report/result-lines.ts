/**
 * One report line per row, from a recorded result or, for a row not yet finished, from its
 * manifest entry. Pure.
 */
import { formatUsd } from "../core/money.js";
import type { StoredResult } from "../queue/job-data.js";

export type LineStatus = "succeeded" | "failed" | "pending" | "held";

export interface ResultLine {
  readonly id: string;
  readonly model: string;
  readonly quality: string | null;
  readonly status: LineStatus;
  readonly run_id: string | null;
  readonly images: readonly string[];
  readonly estimated_usd: string;
  readonly cost_usd: string | null;
  readonly error: string | null;
}

export function lineFromResult(result: StoredResult): ResultLine {
  return {
    id: result.id,
    model: result.model,
    quality: result.quality,
    status: result.status,
    run_id: result.run_id,
    images: result.images,
    estimated_usd: formatUsd(result.estimated_micros),
    cost_usd: formatUsd(result.cost_micros),
    error: result.error,
  };
}

export function pendingLine(row: { key: string; model: string; quality: string | null }, estimateMicros: number, held: boolean, runId: string | null): ResultLine {
  return {
    id: row.key,
    model: row.model,
    quality: row.quality,
    status: held ? "held" : "pending",
    run_id: runId,
    images: [],
    estimated_usd: formatUsd(estimateMicros),
    cost_usd: null,
    error: held ? "budget: the batch's cost cap was reached before this row was submitted" : null,
  };
}

export const CSV_COLUMNS = ["id", "model", "quality", "status", "run_id", "images", "estimated_usd", "cost_usd", "error"] as const;

function csvField(value: string): string {
  return /[",\r\n]/.test(value) || value !== value.trim() ? `"${value.replaceAll('"', '""')}"` : value;
}

export function csvLine(line: ResultLine): string {
  const cells = [line.id, line.model, line.quality ?? "", line.status, line.run_id ?? "", line.images.join("|"), line.estimated_usd, line.cost_usd ?? "", line.error ?? ""];
  return cells.map(csvField).join(",") + "\n";
}
