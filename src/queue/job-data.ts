/** What a BullMQ job carries. */
import type { JobRow } from "../manifest/types.js";

export interface RowJobData {
  readonly batch: string;
  readonly row: JobRow;
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
