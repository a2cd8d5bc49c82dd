/** The run record as `POST …/runs` and `GET /v1/runs/{id}` return it (docs/runflow-api.md). */
import { usd6 } from "./billing.js";
import { isoOffset } from "./ids.js";
import { outputRecord } from "./outputs.js";
import type { UrlSigner } from "./presign.js";
import type { TimingField } from "./options.js";
import { finalCost, statusAt, type SimRun } from "./run-store.js";

/** `record` with the omitted timing fields set to null (the docs say any of them may be). */
export function withoutTiming(
  record: Record<string, unknown>,
  omit: ReadonlySet<TimingField> | undefined,
): Record<string, unknown> {
  if (!omit || omit.size === 0) return record;
  for (const field of omit) record[field] = null;
  return record;
}

export interface RenderContext {
  readonly now: number;
  /** Timing fields sent as null (Settings.omitTiming). */
  readonly omitTiming?: ReadonlySet<TimingField>;
  readonly baseUrl: string;
  readonly signer: UrlSigner;
  readonly ttlSeconds: number;
}

/** `asCreated`: the record as it was at creation (status "queued"), for the 201 of a create. */
export function runRecord(run: SimRun, ctx: RenderContext, asCreated = false): Record<string, unknown> {
  const status = asCreated ? "queued" : statusAt(run, ctx.now);
  const terminal = status === "succeeded" || status === "failed";
  const started = terminal || status === "running";
  const failed = status === "failed" && run.failure !== null;
  const record = {
    id: run.id,
    model: run.model,
    status_code: status,
    input: run.input,
    output:
      status === "succeeded" ? outputRecord(run, ctx.baseUrl, ctx.signer, ctx.now, ctx.ttlSeconds) : null,
    cost: terminal ? usd6(finalCost(run)) : null,
    failure_code: failed ? run.failure?.code : null,
    failure_message: failed ? run.failure?.message : null,
    failure_stage_code: failed ? run.failure?.stage : null,
    metadata: run.metadata,
    client_ref: run.clientRef,
    callback_url: run.callbackUrl,
    created_at: isoOffset(run.createdMs),
    started_at: started ? isoOffset(run.startMs) : null,
    completed_at: terminal ? isoOffset(run.endMs) : null,
    duration_ms: terminal ? run.endMs - run.createdMs : null,
  };
  return withoutTiming(record, ctx.omitTiming);
}
