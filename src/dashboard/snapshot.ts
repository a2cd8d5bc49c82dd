/** Reading what /metrics and the pages show from Redis and BullMQ (the I/O side of metrics.ts). */
import type { BatchRecords } from "../ledger/batch-records.js";
import type { ApiStats } from "../ledger/api-stats.js";
import type { ResultReader } from "../ledger/result-reader.js";
import { QUEUE_NAMES } from "../ledger/keys.js";
import type { Lanes } from "./lanes.js";
import type { MetricsSnapshot } from "./metrics.js";

export interface SnapshotDeps {
  readonly batches: Pick<BatchRecords, "list">;
  readonly results: Pick<ResultReader, "tierCounters">;
  readonly lanes: Lanes;
  readonly api: ApiStats;
  /** Batches listed, newest first (default 100). */
  readonly limit?: number;
}

export async function readSnapshot(deps: SnapshotDeps): Promise<MetricsSnapshot> {
  const records = await deps.batches.list(deps.limit ?? 100);
  const [batches, counts, api] = await Promise.all([
    Promise.all(
      records.map(async (record) => ({ record, tiers: await deps.results.tierCounters(record.id) })),
    ),
    Promise.all(
      records.flatMap((record) =>
        QUEUE_NAMES.map(async (queue) => ({
          batch: record.id,
          queue,
          // Every state this BullMQ version has (v6 has no separate "paused").
          counts: await deps.lanes.of(record.id)[queue].getJobCounts(),
        })),
      ),
    ),
    deps.api.read(),
  ]);
  return { batches, queues: counts, api };
}
