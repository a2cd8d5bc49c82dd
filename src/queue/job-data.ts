/** What a BullMQ job carries, and what a row's recorded result looks like in the results store. */
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

export type RowStatus = "succeeded" | "failed";

export interface StoredResult {
  readonly id: string;
  readonly seq: number;
  readonly model: string;
  readonly quality: string | null;
  readonly status: RowStatus;
  readonly run_id: string | null;
  /** Paths relative to the output directory. */
  readonly images: readonly string[];
  readonly estimated_micros: number;
  readonly cost_micros: number;
  readonly error: string | null;
  readonly finished_at: string;
  /** The row's prompt, when it has one (results.csv/jsonl and report.html show it). */
  readonly prompt?: string | null;
  /** The row's metadata as submitted. */
  readonly metadata?: Readonly<Record<string, string>> | null;
  /** 1 for the row's first attempt; a retry or a changed row is attempt 2, 3, … */
  readonly attempt?: number;
  /** When the run was created at Runflow, and how long it took there (Runflow's figures when it gives them). */
  readonly created_at?: string | null;
  readonly duration_ms?: number | null;
  /** Fingerprint of the row's model + input when recorded: a re-run compares it with the manifest. */
  readonly content_sha?: string;
}
