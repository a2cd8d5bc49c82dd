/** What a BullMQ job carries: one attempt of one row of a batch, as the row store has it. */
import type { ModelId, Quality } from "../core/models.js";

/** The row itself, as it is POSTed. */
export interface JobRowData {
  readonly key: string;
  readonly model: ModelId;
  readonly quality: Quality | null;
  readonly images: number;
  readonly input: Readonly<Record<string, unknown>>;
  readonly metadata: Readonly<Record<string, string>> | null;
}

export interface RowJobData {
  readonly batch: string;
  readonly row: JobRowData;
  readonly estimateMicros: number;
  /** Position in the manifest (0-based); reports list rows in this order. */
  readonly seq: number;
  /** 1 for the row's first attempt; the idempotency key and the job id include it. */
  readonly attempt: number;
  /** Fingerprint of the row's model + input (ledger/plan.ts): part of the idempotency key. */
  readonly contentSha: string;
  /** Written before waiting; a restarted job resumes this run instead of creating another. */
  readonly runId?: string;
}
