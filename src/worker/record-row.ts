/**
 * Recording a row's terminal state: its result in the ledger, its reservation settled to what it
 * cost, once (the ledger makes a second record a no-op). A failed row keeps what was, or may have
 * been, paid for (row-cost.ts).
 */
import type { StoredResult } from "../ledger/stored-result.js";
import type { Run } from "../runflow/types.js";
import { endedRunCost, runflowSide, unendedRowCost } from "./row-cost.js";
import type { RowAttemptError } from "./row-errors.js";
import type { RowDeps, RowWork } from "./row-types.js";

export interface RowOutcome {
  readonly status: "succeeded" | "failed";
  readonly runId: string | null;
  readonly images: readonly string[];
  readonly costMicros: number;
  readonly error: string | null;
  /** The run as last read, for its timing (absent when the row never had one that was read). */
  readonly run?: Run | null;
}

export async function recordRow(
  data: RowWork,
  deps: Pick<RowDeps, "rows" | "now">,
  outcome: RowOutcome,
): Promise<void> {
  const { row } = data;
  const result: StoredResult = {
    id: row.key,
    seq: data.seq,
    model: row.model,
    quality: row.quality,
    status: outcome.status,
    run_id: outcome.runId,
    images: outcome.images,
    estimated_micros: data.estimateMicros,
    cost_micros: outcome.costMicros,
    error: outcome.error,
    finished_at: deps.now().toISOString(),
    prompt: typeof row.input.prompt === "string" ? row.input.prompt : null,
    metadata: row.metadata,
    attempt: data.attempt,
    created_at: outcome.run?.createdAt ?? null,
    duration_ms: outcome.run?.durationMs ?? null,
    content_sha: data.contentSha,
    ...(row.draft ? { draft: row.draft } : {}),
  };
  await deps.rows.record(data.batch, result);
}

/** Records the row as failed with `reason`, at the cost of what Runflow's side is known to be. */
export async function recordFailure(
  data: RowWork,
  deps: RowDeps,
  failure: RowAttemptError,
  reason: string,
): Promise<void> {
  const side = runflowSide(failure);
  const costMicros =
    side.kind === "ended"
      ? endedRunCost(side.run, data, (await deps.batchInfo(data.batch)).prices)
      : unendedRowCost(side, data);
  const error =
    side.kind === "maybe-run" && side.lostCreate
      ? `${reason} (a create request may have reached Runflow; its cost is counted at the estimate — ` +
        `look for client_ref "${data.batch}/${data.row.key}")`
      : reason;
  await recordRow(data, deps, {
    status: "failed",
    runId: failure.runId,
    images: [],
    costMicros,
    error,
    run: failure.run,
  });
}
