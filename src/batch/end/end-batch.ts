/**
 * What happens when a batch ends, whoever ended it (the worker that recorded its last row,
 * `run`, `retry`, `cancel`, a worker giving up): its reports are written into its own directory
 * and, when the batch has a --notify-url, a signed JSON summary is POSTed there. A notification
 * that cannot be delivered is a warning; it never changes the batch.
 */
import type { BatchRecord } from "../../ledger/batch-record.js";
import { createBatchRecords } from "../../ledger/batch-records.js";
import { sendNotification } from "../../notify/send.js";
import { notificationBody } from "../../notify/summary.js";
import type { OnBatchEnd } from "../../worker/batch-end.js";
import type { QueueDeps } from "../../runtime/deps.js";
import { setTimeout as sleep } from "node:timers/promises";
import { backoffDelay } from "../../core/backoff.js";
import { StoreError } from "../../outdir/store-errors.js";
import { writeReports, type WrittenReports } from "./write-reports.js";

type EndDeps = Pick<QueueDeps, "redis" | "keys" | "logger" | "config"> & Partial<Pick<QueueDeps, "stores">>;

/** POSTs the ended batch's summary to its --notify-url, if it has one. Never throws. */
export async function notifyBatchEnd(
  deps: EndDeps,
  record: BatchRecord,
  written: WrittenReports,
): Promise<void> {
  if (!record.notifyUrl) return;
  const { input, files } = written;
  const s = input.summary;
  const body = notificationBody({
    batch: record.id,
    state: record.state,
    reason: record.endReason,
    rows: {
      total: record.submission.rows,
      succeeded: s.succeeded,
      failed: s.failed,
      notDone: input.remaining.rows,
    },
    images: s.images,
    estimatedMicros: s.estimatedMicros,
    actualMicros: s.actualMicros,
    capMicros: record.capMicros,
    startedAt: record.startedAt || null,
    endedAt: record.endedAt ?? new Date().toISOString(),
    outDir: record.submission.out,
    reports: files,
  });
  await sendNotification({
    url: record.notifyUrl,
    body,
    secret: deps.config.notifySecret,
    logger: deps.logger,
  });
}

/** Tries writing the reports into object storage this many times while it fails for a passing reason. */
const REPORT_ATTEMPTS = 5;

/**
 * The batch's reports, written last; into object storage that answers 503 or not at all for a
 * moment they are tried again (2 s, 4 s, 8 s, 16 s) before the failure is the caller's to say.
 */
export async function writeReportsPatiently(
  deps: Pick<EndDeps, "redis" | "keys" | "logger" | "stores">,
  batchId: string,
  out: string,
): Promise<WrittenReports> {
  for (let attempt = 1; ; attempt += 1) {
    try {
      return await writeReports(deps, batchId, out);
    } catch (error) {
      if (!(error instanceof StoreError && error.transient) || attempt >= REPORT_ATTEMPTS) throw error;
      const waitMs = backoffDelay(attempt, { firstMs: 2_000, jitter: 0.2 });
      deps.logger.warn(
        { err: error, batch: batchId, attempt, waitMs },
        `Could not write the reports of batch ${batchId} into ${out} now; trying again.`,
      );
      await sleep(waitMs);
    }
  }
}

/** OnBatchEnd for `worker` and `cancel`: the reports into the batch's directory, then the notification. */
export function endBatchHandler(deps: EndDeps): OnBatchEnd {
  return async ({ batchId, record }) => {
    const out = record.submission.out;
    const written = await writeReportsPatiently(deps, batchId, out);
    deps.logger.info({ batch: batchId, out }, `Reports of batch ${batchId} written to ${out}.`);
    const ended = (await createBatchRecords(deps.redis, deps.keys).get(batchId)) ?? record;
    await notifyBatchEnd(deps, ended, written);
  };
}
