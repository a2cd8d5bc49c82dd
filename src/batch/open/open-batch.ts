/**
 * What `submit` and `run` both do before work starts: validate and price the manifest (nothing
 * reaches Redis if it is invalid), find or create the directory's batch, state the plan of
 * bringing it up to date in one line, apply a changed cap, run the money pre-flight, then carry
 * the plan out (reopen failed and changed rows, retire removed ones, download missing images
 * again) — printing what the user needs to know along the way.
 *
 * Before anything reaches Redis or Runflow, the output directory must be writable (a probe
 * file); a batch this command created is discarded again if a later step refuses to start it
 * (a wrong key at the balance check), so no ghost batch is left behind.
 */
import { rm } from "node:fs/promises";
import path from "node:path";
import type { Redis } from "ioredis";
import { checkBatchId } from "../../ledger/batch-id.js";
import type { BatchRecord } from "../../ledger/batch-record.js";
import type { Binding } from "../../ledger/binding.js";
import { createBudgetHistory } from "../../ledger/budget-history.js";
import type { Ledger } from "../../ledger/ledger.js";
import { planLine, type Plan } from "../../ledger/plan.js";
import type { Logger } from "../../log/logger.js";
import { MARKER_FILE } from "../../outdir/marker.js";
import { probeOutDir } from "../../outdir/probe.js";
import type { Keys } from "../../ledger/keys.js";
import { createQueues, type Queues } from "../../queue/queues.js";
import type { RunflowClient } from "../../runflow/types.js";
import type { BatchSettings } from "../settings.js";
import { applyCap } from "../apply-cap.js";
import { applyPlan } from "./apply-plan.js";
import { planBatch } from "./plan-batch.js";
import { preflight } from "./preflight.js";
import { prepareBatch, type PreparedBatch } from "./prepare-batch.js";

export interface OpenBatchOptions {
  readonly redis: Redis;
  readonly keys: Keys;
  readonly ledger: Ledger;
  readonly logger: Logger;
  readonly client: RunflowClient;
  /** The endpoint and account `client` talks to. */
  readonly binding: Binding;
  readonly settings: BatchSettings;
  readonly out: string | undefined;
  readonly stderr: NodeJS.WritableStream;
  /** Stops the start-up checks' waiting (Ctrl-C). */
  readonly signal?: AbortSignal | undefined;
}

export interface OpenedBatch {
  readonly prepared: PreparedBatch;
  /** The record after the cap change and the plan, if any. */
  readonly record: BatchRecord;
  readonly plan: Plan;
  /** Created only after validation passed: an invalid manifest leaves nothing in Redis. */
  readonly queues: Queues;
}

export async function openBatch(o: OpenBatchOptions): Promise<OpenedBatch> {
  const { settings, ledger } = o;
  // The directory first: an unwritable --out is found before a single request or Redis write.
  if (o.out !== undefined) await probeOutDir(o.out);
  else if (settings.batchId !== undefined)
    await probeOutDir(path.join("out", checkBatchId(settings.batchId)));
  const prepared = await prepareBatch({
    batches: ledger.batches,
    source: settings.source,
    prices: settings.prices,
    batchId: settings.batchId,
    out: o.out,
    binding: o.binding,
    capMicros: settings.capMicros,
    skipInvalid: settings.skipInvalid,
    now: () => new Date(),
  });
  const id = prepared.record.id;
  const outDir = prepared.record.submission.out;
  const queues = createQueues(o.redis, o.keys, id);
  try {
    if (settings.notifyUrl) await ledger.batches.setNotifyUrl(id, settings.notifyUrl);
    // Canceled before: its rows that never ran are queued again, and BullMQ would take their jobs,
    // completed when the cancel refused them, for done. (Results live in the ledger, not in jobs.)
    if (prepared.record.cancelRequestedAt !== null) {
      await Promise.all([queues.generate.clean(0, 0, "completed"), queues.edit.clean(0, 0, "completed")]);
    }
    if (prepared.skipped)
      o.stderr.write(`Skipping ${prepared.scan.invalidRows} invalid rows:\n${prepared.skipped}\n`);
    const planned = await planBatch({
      ledger,
      batchId: id,
      source: settings.source,
      prices: settings.prices,
      outDir,
    });
    o.stderr.write(planLine(o.out ?? outDir, planned.plan) + "\n");
    let record = prepared.record;
    const history = createBudgetHistory(o.redis, o.keys);
    if (prepared.created)
      await history.append(id, {
        at: record.submission.createdAt,
        kind: "created",
        cap_micros: record.capMicros,
      });
    if (!prepared.created && settings.capMicros !== null && settings.capMicros !== record.capMicros) {
      await applyCap(ledger, queues, id, settings.capMicros, o.logger, history);
      record = (await ledger.batches.get(id)) ?? record;
    }
    const notes = await preflight({
      record,
      client: o.client,
      source: settings.source,
      prices: settings.prices,
      force: settings.force,
      remainingMicros: planned.plan.runsMicros,
      logger: o.logger,
      ...(settings.startTimeoutMs !== undefined ? { startTimeoutMs: settings.startTimeoutMs } : {}),
      ...(o.signal ? { signal: o.signal } : {}),
    });
    for (const note of notes) o.stderr.write(note + "\n");
    const applied = await applyPlan({
      ledger,
      batchId: id,
      plan: planned,
      client: o.client,
      outDir,
      logger: o.logger,
    });
    if (applied.restored > 0)
      o.stderr.write(`Downloaded the images of ${applied.restored} rows again (no new runs).\n`);
    if (applied.lost.length > 0) {
      o.stderr.write(
        `Runflow no longer has the images of ${applied.lost.length} rows: they run again as new attempts.\n`,
      );
    }
    if (applied.later > 0)
      o.stderr.write(
        `Could not download the images of ${applied.later} rows now; the next run tries again.\n`,
      );
    record = (await ledger.batches.get(id)) ?? record;
    return { prepared, record, plan: planned.plan, queues };
  } catch (error) {
    await queues.close();
    // Refused before its first row was queued: a batch made by this command leaves no trace.
    if (prepared.created) {
      await ledger.batches.discard(id).catch(() => undefined);
      await rm(path.join(outDir, MARKER_FILE), { force: true }).catch(() => undefined);
    }
    throw error;
  }
}
