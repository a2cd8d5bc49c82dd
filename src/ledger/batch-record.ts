/**
 * A batch as the ledger keeps it: the submission (written once: manifest, reading options,
 * estimate, prices, output directory) and the live counters the Lua scripts and state changes
 * keep. In Redis it is one hash of strings; here it is read back through zod into typed values,
 * so no caller parses JSON or casts. Pure.
 *
 * Hash fields (the layout is shared with lua/*.lua and must not change under stored batches):
 *   id, manifest, manifest_sha256, manifest_options (JSON), metadata_keys (JSON, written with the
 *   rows: commit-rows.lua), feed_json (JSON), fed (the feeder's cursor), rows, invalid_rows, estimate_micros,
 *   estimate_json (JSON), prices_json (JSON), out, cap_micros ('' for none), created_at, state,
 *   started_at, succeeded, failed, images, spent_micros, reserved_micros, done_estimate_micros,
 *   budget_blocked ('1'), warned_50/80/100 (the scripts' own), endpoint and account (the binding),
 *   notify_url, cancel_requested_at, stop_reason, ended_at, end_reason and reported_at (the lifecycle:
 *   worker/batch-end.ts).
 */
import type { z } from "zod";
import type { ManifestSource } from "../manifest/source.js";
import type { PriceTable } from "../pricing/table.js";
import type { TierJson, TotalsJson } from "../pricing/totals.js";
import { batchHash, type BATCH_STATES, type feedSettingsSchema } from "./batch-hash.js";
import type { Binding } from "./binding.js";
import { UnreadableBatchError } from "./errors.js";

export type BatchState = (typeof BATCH_STATES)[number];
/** The states a batch ends in (until a re-run, a retry or a raised cap opens it again). */
export type FinalState = Exclude<BatchState, "submitted" | "running">;
export const FINAL_STATES: readonly FinalState[] = ["done", "failed-rows", "budget", "canceled"];

/** The manifest a batch was submitted from: where it is, how to read it, and its fingerprint. */
interface BatchManifest extends ManifestSource {
  /** Absolute path. */
  readonly path: string;
  /** SHA-256 of the file's bytes when submitted (manifest/fingerprint.ts): reports check it is unchanged. */
  readonly sha256: string;
}

/** The estimate made at submission: its total, and the `totals`/`by_tier` of cost-report.json. */
interface BatchEstimate {
  readonly micros: number;
  readonly totals: TotalsJson;
  readonly by_tier: readonly TierJson[];
}

/** How the batch's rows are queued (batch-hash.ts feedSettingsSchema). */
type FeedSettings = z.infer<typeof feedSettingsSchema>;

/** What was submitted (a re-run of the directory brings it up to date with its manifest). */
interface BatchSubmission {
  readonly manifest: BatchManifest;
  /** Every metadata key of the rows, sorted: results.csv has a column for each. */
  readonly metadataKeys: readonly string[];
  readonly feed: FeedSettings;
  /** Valid rows (the ones that were queued) and rows skipped as invalid. */
  readonly rows: number;
  readonly invalidRows: number;
  readonly estimate: BatchEstimate;
  /** The price table the batch was estimated with; workers price with the same one. */
  readonly prices: PriceTable;
  /** Where images go when the worker is not told otherwise. */
  readonly out: string;
  /** The endpoint and account the batch was made for: no process bound elsewhere touches its rows. */
  readonly binding: Binding;
  readonly createdAt: string;
}

/** How far the batch has got; kept by the ledger's scripts and by setState / setCap. */
interface BatchCounters {
  readonly state: BatchState;
  /** When a worker or `run` first started on the batch; empty before. */
  readonly startedAt: string;
  readonly capMicros: number | null;
  readonly succeeded: number;
  readonly failed: number;
  readonly images: number;
  readonly spentMicros: number;
  readonly reservedMicros: number;
  /** The estimate of the rows recorded so far. */
  readonly doneEstimateMicros: number;
  /** A reservation was refused (or a bill crossed the cap): nothing is submitted until the cap changes. */
  readonly budgetBlocked: boolean;
  /** Rows held back by the budget cap. */
  readonly held: number;
  /** Rows handed to feeders so far (queue/feeder.ts); at `submission.rows` every row has been fed. */
  readonly fed: number;
  /** Rows holding a budget reservation: submitted to Runflow (or about to be) and not yet recorded. */
  readonly inFlight: number;
  /** Where the summary is POSTed when the batch ends (`--notify-url`), or null. */
  readonly notifyUrl: string | null;
  /** When `cancel` (or a worker giving up) stopped submitting, or null. */
  readonly cancelRequestedAt: string | null;
  /** Why a worker gave up on the batch (`--give-up-after`): its rows that never ran end failed with it. */
  readonly stopReason: string | null;
  /** When the batch ended (the state is final), or null while it is open. */
  readonly endedAt: string | null;
  /** Why it ended when that is not plain (gave up, canceled), or null. */
  readonly endReason: string | null;
  /** When the reports of its end were written (by the process that ended it), or null. */
  readonly reportedAt: string | null;
}

export interface BatchRecord extends BatchCounters {
  readonly id: string;
  readonly submission: BatchSubmission;
}

/**
 * What creating a batch takes: its id, cap and submission (createdAt is the ledger's; the
 * metadata keys come with the rows).
 */
export interface NewBatch {
  readonly id: string;
  readonly capMicros: number | null;
  readonly submission: NewSubmission;
}

export type NewSubmission = Omit<BatchSubmission, "createdAt" | "metadataKeys">;

/** Batches stored before feed settings were: the defaults of their time. */
const LEGACY_FEED: FeedSettings = { window: 1_000, retry: { attempts: 5, backoffMs: 2_000 } };

/**
 * Reads a batch's hash (HGETALL) plus its held-set and reservation counts. Null when there is
 * no such batch.
 */
export function parseBatchRecord(
  id: string,
  hash: Readonly<Record<string, string>>,
  held: number,
  inFlight: number,
): BatchRecord | null {
  if (!hash.id) return null;
  const parsed = batchHash.safeParse(hash);
  if (!parsed.success) {
    throw new UnreadableBatchError(
      id,
      parsed.error.issues.map((i) => `${i.path.join(".") || "record"}: ${i.message}`),
    );
  }
  const h = parsed.data;
  const prices: PriceTable = h.prices_json;
  return {
    id: h.id,
    submission: {
      manifest: { ...h.manifest_options, path: h.manifest, sha256: h.manifest_sha256 },
      metadataKeys: h.metadata_keys,
      feed: h.feed_json ?? LEGACY_FEED,
      rows: h.rows,
      invalidRows: h.invalid_rows,
      estimate: {
        micros: h.estimate_micros,
        totals: h.estimate_json.totals,
        by_tier: h.estimate_json.by_tier,
      },
      prices,
      out: h.out,
      binding: { endpoint: h.endpoint, account: h.account },
      createdAt: h.created_at,
    },
    state: h.state ?? "submitted",
    startedAt: h.started_at ?? "",
    capMicros: h.cap_micros === undefined || h.cap_micros === "" ? null : h.cap_micros,
    succeeded: h.succeeded,
    failed: h.failed,
    images: h.images,
    spentMicros: h.spent_micros,
    reservedMicros: h.reserved_micros,
    doneEstimateMicros: h.done_estimate_micros,
    budgetBlocked: h.budget_blocked === "1",
    held,
    fed: h.fed,
    inFlight,
    notifyUrl: h.notify_url || null,
    cancelRequestedAt: h.cancel_requested_at || null,
    stopReason: h.stop_reason || null,
    endedAt: h.ended_at || null,
    endReason: h.end_reason || null,
    reportedAt: h.reported_at || null,
  };
}

/**
 * The submission's hash fields: written when the batch is created, and again when a re-run
 * brings it up to date with an edited manifest (rows, estimate and prices follow the manifest).
 */
export function submissionFields(s: NewSubmission): Record<string, string> {
  const { path, sha256, ...options } = s.manifest;
  return {
    manifest: path,
    manifest_sha256: sha256,
    manifest_options: JSON.stringify(options),
    feed_json: JSON.stringify(s.feed),
    rows: String(s.rows),
    invalid_rows: String(s.invalidRows),
    estimate_micros: String(s.estimate.micros),
    estimate_json: JSON.stringify({ totals: s.estimate.totals, by_tier: s.estimate.by_tier }),
    prices_json: JSON.stringify(s.prices),
    out: s.out,
    endpoint: s.binding.endpoint,
    account: s.binding.account,
  };
}

/** The hash fields a new batch is written with. */
export function batchFields(batch: NewBatch, now: Date): Record<string, string> {
  return {
    id: batch.id,
    ...submissionFields(batch.submission),
    cap_micros: batch.capMicros === null ? "" : String(batch.capMicros),
    created_at: now.toISOString(),
    state: "submitted",
  };
}
