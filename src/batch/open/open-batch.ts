/**
 * What `submit`, `run` and a scheduled occurrence do before work starts, in the order it happens:
 *   1. probe the directory (an unwritable --out is found before a request or a Redis write);
 *   2. identify the batch (--batch, DIR's marker, or derived) and read its record;
 *   3. read the manifest once (manifest-pass.ts): validate, price, plan against the ledger and the
 *      directory, see what the cap covers, stage the rows — nothing is changed if it is invalid;
 *   4. create or refresh the record, write the marker, make the staged rows the batch's;
 *   5. say the plan in one line, apply a changed cap, run the money pre-flight;
 *   6. carry the plan out (adopt, reopen, retire, download missing images again).
 * A batch this command created is discarded again if a later step refuses to start it (a wrong
 * key at the balance check), so no ghost batch is left behind.
 */
import path from "node:path";
import type { Redis } from "ioredis";
import { formatProblems, ManifestError } from "../../manifest/index.js";
import { delimiterNote } from "../../manifest/delimiter.js";
import { readingOptions, type ManifestSource } from "../../manifest/source.js";
import { FEED_DEFAULTS } from "../../config/defaults.js";
import { UsageError } from "../../core/errors.js";
import type { BatchRecord } from "../../ledger/batch-record.js";
import type { Binding } from "../../ledger/binding.js";
import { createBudgetHistory } from "../../ledger/budget-history.js";
import type { Keys } from "../../ledger/keys.js";
import type { Ledger } from "../../ledger/ledger.js";
import { planLine, type Plan } from "../../ledger/plan.js";
import type { Logger } from "../../log/logger.js";
import { resolveOut } from "../../core/out-location.js";
import { removeMarker } from "../../outdir/marker.js";
import type { StoreOpener } from "../../outdir/store.js";
import { asStore } from "../../outdir/stores.js";
import { costSummaryJson } from "../../pricing/totals.js";
import { createQueues, type Queues } from "../../queue/queues.js";
import type { RunflowClient } from "../../runflow/types.js";
import { applyCap } from "../apply-cap.js";
import type { BatchSettings } from "../settings.js";
import { applyPlan, type AppliedPlan } from "./apply-plan.js";
import { readDirectoryEvidence } from "./directory-evidence.js";
import { readManifest, stageRows, type ManifestPass } from "./manifest-pass.js";
import { createPlanner, type BatchPlan } from "./plan-batch.js";
import { createCapCoverage, preflight } from "./preflight.js";
import { checkRecord, ensureRecord, identify } from "./prepare-batch.js";

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
  /** Opens the batch's directory: a local path, or an S3 prefix (default: local paths only). */
  readonly stores?: StoreOpener;
  /** Stops the start-up checks' waiting (Ctrl-C). */
  readonly signal?: AbortSignal | undefined;
}

export interface OpenedBatch {
  /** This command created the batch (else it brought an existing one up to date). */
  readonly created: boolean;
  /** The record after the cap change and the plan. */
  readonly record: BatchRecord;
  readonly plan: Plan;
  /** Created only after validation passed: an invalid manifest leaves nothing in Redis. */
  readonly queues: Queues;
}

/** Steps 1–4: the record, the plan and the staged rows, or an error that changed nothing. */
async function readAndRecord(o: OpenBatchOptions) {
  const { settings, ledger } = o;
  const open = (out: string) => o.stores?.open(out) ?? asStore(out);
  // The directory first: an unwritable --out (or S3 prefix) is said before anything else is read.
  if (o.out !== undefined) await open(resolveOut(o.out)).probe();
  const identity = await identify({ batchId: settings.batchId, out: o.out, binding: o.binding, open });
  if (o.out === undefined) await identity.store.probe();
  const before = await ledger.batches.get(identity.id);
  if (before) checkRecord(before, identity, o.binding);
  const evidence = identity.marker ? await readDirectoryEvidence(identity.store, before) : null;
  const planner = createPlanner({
    ledger,
    batchId: identity.id,
    outDir: identity.store,
    evidence,
    known: before !== null,
  });
  const coverage = createCapCoverage(settings.capMicros ?? before?.capMicros ?? null);
  const staging = ledger.rowStore.stage(identity.id);
  let pass: ManifestPass;
  let plan: BatchPlan;
  try {
    pass = await readManifest(settings.rows ?? settings.source, settings.prices, [
      (rows) => planner.addChunk(rows.map((r) => r.planned)),
      (rows) => coverage.add(rows.map((r) => r.row.estimate_micros)),
      stageRows(staging),
    ]);
    refuseInvalid(pass, settings.skipInvalid, fileName(settings.source));
    plan = await planner.finish();
  } catch (error) {
    await staging.discard().catch(() => undefined);
    throw error;
  }
  const { scan } = pass;
  const note = delimiterNote(fileName(settings.source), scan.reading.delimiter, settings.source.delimiter);
  if (note) o.stderr.write(note + "\n");
  const made = await ensureRecord({
    batches: ledger.batches,
    identity,
    binding: o.binding,
    capMicros: settings.capMicros,
    submission: {
      manifest: {
        ...readingOptions(settings.source),
        // The separator as read from the header is kept too (results.csv follows a `;` manifest).
        ...(scan.reading.delimiter === null ? {} : { delimiter: scan.reading.delimiter }),
        path: path.resolve(settings.source.path),
        sha256: pass.sha256,
      },
      rows: scan.validRows,
      invalidRows: scan.invalidRows,
      estimate: {
        micros: scan.cost.estimatedMicros,
        ...costSummaryJson(scan.cost, { includeActual: false }),
      },
      prices: settings.prices,
      feed: { window: settings.queueWindow ?? FEED_DEFAULTS.window, retry: settings.retry },
    },
    now: new Date(),
  });
  await staging.commit(scan.metadataKeys);
  const skipped = scan.problemCount > 0 ? formatProblems(scan.problems, undefined, scan.problemCount) : null;
  if (skipped) o.stderr.write(`Skipping ${scan.invalidRows} invalid rows:\n${skipped}\n`);
  return { ...made, plan, coverage: coverage.result(), identity };
}

const fileName = (source: ManifestSource) => source.label ?? path.basename(source.path);

function refuseInvalid(pass: ManifestPass, skipInvalid: boolean, file: string): void {
  const { scan } = pass;
  if (scan.problemCount > 0 && !skipInvalid) {
    throw new ManifestError(
      `${file}: ${scan.invalidRows} of ${scan.rows} rows are invalid; nothing was submitted.\n` +
        formatProblems(scan.problems, undefined, scan.problemCount) +
        `\nFix them, or pass --skip-invalid to submit the ${scan.validRows} valid rows.`,
      { file },
    );
  }
  if (scan.validRows === 0) throw new UsageError(`${file} has no valid rows to submit`);
}

export async function openBatch(o: OpenBatchOptions): Promise<OpenedBatch> {
  const { settings, ledger } = o;
  const opened = await readAndRecord(o);
  const id = opened.record.id;
  const outDir = opened.record.submission.out;
  const { store } = opened.identity;
  const queues = createQueues(o.redis, o.keys, id);
  try {
    if (settings.notifyUrl) await ledger.batches.setNotifyUrl(id, settings.notifyUrl);
    // Canceled before: its rows that never ran are queued again, and BullMQ would take their jobs,
    // completed when the cancel refused them, for done. (Results live in the ledger, not in jobs.)
    if (opened.record.cancelRequestedAt !== null) {
      await Promise.all([queues.generate.clean(0, 0, "completed"), queues.edit.clean(0, 0, "completed")]);
    }
    o.stderr.write(planLine(o.out ?? outDir, opened.plan.plan) + "\n");
    let record = opened.record;
    const history = createBudgetHistory(o.redis, o.keys);
    if (opened.created)
      await history.append(id, {
        at: record.submission.createdAt,
        kind: "created",
        cap_micros: record.capMicros,
      });
    if (!opened.created && settings.capMicros !== null && settings.capMicros !== record.capMicros) {
      await applyCap(ledger, queues, id, settings.capMicros, o.logger, history);
      record = (await ledger.batches.get(id)) ?? record;
    }
    const notes = await preflight({
      record,
      client: o.client,
      coverage: opened.coverage,
      force: settings.force,
      remainingMicros: opened.plan.plan.runsMicros,
      logger: o.logger,
      startTimeoutMs: settings.startTimeoutMs,
      signal: o.signal,
    });
    for (const note of notes) o.stderr.write(note + "\n");
    const applied = await applyPlan({
      ledger,
      batchId: id,
      plan: opened.plan,
      client: o.client,
      outDir: store,
      logger: o.logger,
    });
    sayApplied(o.stderr, applied);
    record = (await ledger.batches.get(id)) ?? record;
    return { created: opened.created, record, plan: opened.plan.plan, queues };
  } catch (error) {
    await queues.close();
    // Refused before its first row was queued: a batch made by this command leaves no trace.
    if (opened.created) {
      await ledger.batches.discard(id).catch(() => undefined);
      // The marker goes only if this command wrote it: a directory whose batch Redis lost keeps
      // its marker, the evidence its next run adopts its rows by.
      if (opened.identity.marker === null) await removeMarker(store); // and the directories writing it made
    }
    throw error;
  }
}

function sayApplied(stderr: NodeJS.WritableStream, applied: AppliedPlan): void {
  if (applied.restored > 0)
    stderr.write(`Downloaded the images of ${applied.restored} rows again (no new runs).\n`);
  if (applied.lost.length > 0)
    stderr.write(
      `Runflow no longer has the images of ${applied.lost.length} rows: they run again as new attempts.\n`,
    );
  if (applied.later > 0)
    stderr.write(`Could not download the images of ${applied.later} rows now; the next run tries again.\n`);
}
