/**
 * What `submit` and `run` both do before work starts: validate and price the manifest (nothing
 * reaches Redis if it is invalid), create or resume the batch, apply a changed cap, and run the
 * money pre-flight — printing what the user needs to know along the way.
 */
import type { Redis } from "ioredis";
import type { Logger } from "../../log/logger.js";
import { applyCap } from "./apply-cap.js";
import { prepareBatch, type PreparedBatch } from "./prepare-batch.js";
import { preflight } from "./preflight.js";
import type { BatchRecord } from "../../ledger/batch-record.js";
import type { Ledger } from "../../ledger/ledger.js";
import { createBudgetHistory } from "../../ledger/budget-history.js";
import type { Keys } from "../../queue/keys.js";
import { createQueues, type Queues } from "../../queue/queues.js";
import type { RunflowClient } from "../../runflow/types.js";
import type { BatchSettings } from "../settings.js";

export interface OpenBatchOptions {
  readonly redis: Redis;
  readonly keys: Keys;
  readonly ledger: Ledger;
  readonly logger: Logger;
  readonly client: RunflowClient;
  readonly settings: BatchSettings;
  readonly out: string | undefined;
  readonly stderr: NodeJS.WritableStream;
}

export interface OpenedBatch {
  readonly prepared: PreparedBatch;
  /** The record after the cap change, if any. */
  readonly record: BatchRecord;
  /** Created only after validation passed: an invalid manifest leaves nothing in Redis. */
  readonly queues: Queues;
}

export async function openBatch(o: OpenBatchOptions): Promise<OpenedBatch> {
  const { settings } = o;
  const prepared = await prepareBatch({
    batches: o.ledger.batches,
    source: settings.source,
    prices: settings.prices,
    batchId: settings.batchId,
    out: o.out,
    capMicros: settings.capMicros,
    skipInvalid: settings.skipInvalid,
    now: () => new Date(),
  });
  const id = prepared.record.id;
  const queues = createQueues(o.redis, o.keys);
  try {
    if (prepared.skipped) o.stderr.write(`Skipping ${prepared.scan.invalidRows} invalid rows:\n${prepared.skipped}\n`);
    let record = prepared.record;
    const history = createBudgetHistory(o.redis, o.keys);
    if (prepared.created) await history.append(id, { at: record.submission.createdAt, kind: "created", cap_micros: record.capMicros });
    if (!prepared.created && settings.capMicros !== null && settings.capMicros !== record.capMicros) {
      await applyCap(o.ledger, queues, id, settings.capMicros, o.logger, history);
      record = (await o.ledger.batches.get(id)) ?? record;
    }
    const notes = await preflight({ record, client: o.client, source: settings.source, prices: settings.prices, force: settings.force });
    for (const note of notes) o.stderr.write(note + "\n");
    return { prepared, record, queues };
  } catch (error) {
    await queues.close();
    throw error;
  }
}
