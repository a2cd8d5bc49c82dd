/**
 * The vocabulary of one row's life in the worker: what it depends on, where it can be, and what
 * an attempt ends with. Types only.
 */
import type { LimitFunction } from "p-limit";
import type { ModelId } from "../core/models.js";
import type { CreateBodies } from "../ledger/create-bodies.js";
import type { RowLedger } from "../ledger/row-ledger.js";
import type { Logger } from "../log/logger.js";
import type { JobRow } from "../manifest/types.js";
import type { PriceTable } from "../pricing/table.js";
import type { RunflowClient } from "../runflow/types.js";
import type { BatchStore } from "../outdir/store.js";
import type { ImageDirs } from "./outputs.js";
import type { PollSchedule } from "./poll-schedule.js";
import type { RunSleep } from "./wait-for-run.js";

/** The row itself, as it is POSTed: the manifest's row without its place in the file. */
type WorkRow = Omit<JobRow, "location">;

/** One attempt of one row, as the worker works it: the job (queue/job-data.ts) and its stored row. */
export interface RowWork {
  readonly batch: string;
  readonly row: WorkRow;
  readonly estimateMicros: number;
  /** Position in the manifest (0-based); reports list rows in this order. */
  readonly seq: number;
  /** 1 for the row's first attempt; the idempotency key and the job id include it. */
  readonly attempt: number;
  /** Fingerprint of the row's model + input: part of the idempotency key, recorded with the result. */
  readonly contentSha: string;
}

/** What the worker needs to know about a row's batch (read once per batch and cached). */
export interface BatchInfo {
  readonly outDir: string;
  /** The directory's store (a local path's, or an S3 prefix's); default: the local path's. */
  readonly store?: BatchStore;
  readonly prices: PriceTable;
}

export interface RowDeps {
  readonly client: RunflowClient;
  /** The row's bookkeeping in Redis: reservation, run id, result. */
  readonly rows: RowLedger;
  readonly batchInfo: (batchId: string) => Promise<BatchInfo>;
  readonly logger: Logger;
  readonly now: () => Date;
  readonly poll: (model: ModelId) => PollSchedule;
  readonly maxConsecutivePollErrors: number;
  readonly downloads: LimitFunction;
  /** Makes a batch's image directories once (default: the client makes them for each image). */
  readonly imageDirs?: ImageDirs;
  readonly signal?: AbortSignal;
  /** Sleeps between polls, woken early by callbacks, ended by shutdown (one listener for all rows). */
  readonly sleep?: RunSleep;
  /** Sent as callback_url with every create (`--callback-url`). */
  readonly callbackUrl?: string;
  /** Called after Runflow accepted a new run (the worker uses it to know credit is back). */
  readonly onRunCreated?: () => void;
  /** Keeps the exact create body of rows made from a draft image (worker/draft-input.ts). */
  readonly createBodies?: CreateBodies;
}

/**
 * Where the row was when an attempt failed: creating its run (reserve, POST, save the id),
 * waiting on it (or recording how it ended), or downloading its images. The phase tells the
 * error policy whether Runflow's side is known (see error-policy.ts).
 */
export type RowPhase = "create" | "wait" | "download";

/** How an attempt that did not throw ended ("canceled": the batch is stopping, nothing was submitted). */
export type RowResult = "recorded" | "already-recorded" | "canceled";
