/**
 * The directory is evidence. When Redis does not hold the batch that DIR's marker names (a new
 * machine, a Redis without persistence, a flushed or migrated one), or holds fewer succeeded rows
 * than DIR's last report says, the rows DIR's results.jsonl records as succeeded are offered to
 * the plan: a manifest row with the same content fingerprint, whose images are all on disk, is
 * adopted — its result (run id, cost, images) goes back into the ledger and nothing runs. Rows
 * whose line lacks a fingerprint (written before lines carried one) are not adopted.
 */
import { z } from "zod";
import { parseUsd } from "../../core/money.js";
import type { BatchRecord } from "../../ledger/batch-record.js";
import type { StoredResult } from "../../ledger/stored-result.js";
import type { BatchStore } from "../../outdir/store.js";
import { asStore } from "../../outdir/stores.js";
import { resultLineSchema, type ResultLine } from "../../report/result-lines.js";

const RESULTS_FILE = "results.jsonl";
const COST_REPORT_FILE = "cost-report.json";

/** What is read of DIR's cost-report.json: how many rows its last report counted as succeeded. */
const reportedTotalsSchema = z.object({ totals: z.object({ succeeded: z.number().int().nonnegative() }) });

type ReportedTotals = z.infer<typeof reportedTotalsSchema>;

export interface DirectoryEvidence {
  /** Why the directory is consulted, as the plan line says it. */
  readonly because: string;
  /** The recorded result of this row, when DIR records it succeeded with this content; else null. */
  adoptable(key: string, contentSha: string, seq: number): StoredResult | null;
}

/**
 * Succeeded rows DIR's last report counted, or null when it has none that can be read (no report,
 * or one written by hand or by another version): then only a batch Redis lost is looked for in DIR.
 */
async function reportedSucceeded(store: BatchStore): Promise<number | null> {
  let value: unknown;
  try {
    value = JSON.parse((await store.readText(COST_REPORT_FILE)) ?? "");
  } catch {
    return null;
  }
  const parsed = reportedTotalsSchema.safeParse(value);
  const report: ReportedTotals | null = parsed.success ? parsed.data : null;
  return report?.totals.succeeded ?? null;
}

function storedFrom(line: ResultLine, seq: number): StoredResult | null {
  if (line.status !== "succeeded" || !line.content_sha || line.cost_usd === null) return null;
  return {
    id: line.id,
    seq,
    model: line.model,
    quality: line.quality,
    status: "succeeded",
    run_id: line.run_id,
    images: line.images,
    estimated_micros: parseUsd(line.estimated_usd),
    cost_micros: parseUsd(line.cost_usd),
    error: line.error,
    finished_at: line.finished_at ?? "",
    prompt: line.prompt,
    metadata: line.metadata,
    attempt: line.attempt ?? 1,
    created_at: line.created_at,
    duration_ms: line.duration_ms,
    content_sha: line.content_sha,
  };
}

/** The succeeded lines of DIR/results.jsonl by row id (lines that cannot be read are passed over). */
async function succeededLines(store: BatchStore): Promise<Map<string, ResultLine>> {
  const lines = new Map<string, ResultLine>();
  try {
    for await (const text of store.readLines(RESULTS_FILE)) {
      if (text.trim() === "") continue;
      let value: unknown;
      try {
        value = JSON.parse(text);
      } catch {
        continue;
      }
      const parsed = resultLineSchema.safeParse(value);
      if (parsed.success && parsed.data.status === "succeeded" && parsed.data.content_sha)
        lines.set(parsed.data.id, parsed.data);
    }
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return lines;
    throw error;
  }
  return lines;
}

/**
 * The directory's evidence for a batch whose record is `record` (null: Redis does not hold it),
 * or null when the ledger is complete or the directory has no results.
 */
export async function readDirectoryEvidence(
  outDir: string | BatchStore,
  record: Pick<BatchRecord, "succeeded"> | null,
): Promise<DirectoryEvidence | null> {
  const store = asStore(outDir);
  let because: string;
  if (record === null) because = "Redis did not hold the batch";
  else {
    const reported = await reportedSucceeded(store);
    if (reported === null || reported <= record.succeeded) return null;
    because = `Redis held ${record.succeeded} of its ${reported} succeeded rows`;
  }
  const lines = await succeededLines(store);
  if (lines.size === 0) return null;
  return {
    because,
    adoptable(key, contentSha, seq) {
      const line = lines.get(key);
      return line && line.content_sha === contentSha ? storedFrom(line, seq) : null;
    },
  };
}
