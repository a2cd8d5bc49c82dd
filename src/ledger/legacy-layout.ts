/**
 * Batches an earlier runflow-batch stored under the key layout before per-batch hash tags: every
 * key under the one tag `{<prefix>}` (`{<prefix>}:batch:<id>`, `…:batch:<id>:results`, …, lanes
 * `{<prefix>}:generate-<id>:…`). This version reads a batch under its own tag (keys.ts), so the
 * first read of such a batch moves it:
 *
 * - On a single Redis, its keys are renamed into its own tag in one transaction (RENAMENX: never
 *   over a key the new layout already has), and its feed cursor starts again, so the rows not
 *   recorded yet are queued into its new lanes by whoever serves it (recorded rows are passed
 *   over; a row with a saved run id resumes that run). Its old lanes' BullMQ keys are removed:
 *   their jobs are queued again. Workers of the earlier version must be stopped first.
 * - On a Redis Cluster, keys cannot be renamed across slots: the batch is refused (exit 4) with
 *   what to do — run its command again on its directory, which DIR's results.jsonl rebuilds.
 */
import type { Redis } from "ioredis";
import { ConfigurationError } from "../core/errors.js";
import { isCluster } from "../redis/cluster.js";
import { laneQueueName, QUEUE_NAMES, type Keys } from "./keys.js";

/** The per-batch keys of the earlier layout, by their suffix after `{<prefix>}:batch:<id>`. */
const PARTS = {
  runs: "runs",
  results: "results",
  rows: "rows",
  order: "order",
  runShas: "run-shas",
  reservations: "reservations",
  held: "held",
  posting: "posting",
  tiers: "tiers",
  attempts: "attempts",
  history: "history",
  removed: "removed",
  budgetHistory: "budget-history",
  waits: "waits",
} as const satisfies Partial<Record<keyof Keys, string>>;

/** Moves the batch when the earlier layout holds it; true when it did (or another process just did). */
export async function moveLegacyBatch(redis: Redis, keys: Keys, id: string): Promise<boolean> {
  const legacy = keys.legacyBatch(id);
  if ((await redis.exists(legacy)) === 0) return false;
  if (isCluster(redis)) throw legacyOnCluster(keys, id);
  const moves: [string, string][] = [[legacy, keys.batch(id)]];
  for (const [name, suffix] of Object.entries(PARTS))
    moves.push([`${legacy}:${suffix}`, (keys[name as keyof typeof PARTS] as (id: string) => string)(id)]);
  const present = await Promise.all(moves.map(([from]) => redis.exists(from)));
  const transaction = redis.multi();
  moves.forEach(([from, to], i) => {
    if (present[i] === 1) transaction.renamenx(from, to);
  });
  // A process moving it at the same moment finds the keys gone (its renames fail harmlessly).
  await transaction.hset(keys.batch(id), "fed", 0).exec();
  await removeOldLanes(redis, keys, id);
  return true;
}

async function removeOldLanes(redis: Redis, keys: Keys, id: string): Promise<void> {
  for (const name of QUEUE_NAMES) {
    let cursor = "0";
    do {
      const [next, found] = await redis.scan(
        cursor,
        "MATCH",
        `${keys.bullPrefix}:${laneQueueName(id, name)}:*`,
        "COUNT",
        1000,
      );
      cursor = next;
      if (found.length > 0) await redis.unlink(...found);
    } while (cursor !== "0");
  }
}

function legacyOnCluster(keys: Keys, id: string): ConfigurationError {
  return new ConfigurationError(
    `batch ${id} was stored by an earlier runflow-batch under the old key layout (${keys.legacyBatch(id)}), ` +
      "which a Redis Cluster cannot move into the batch's own slot. Run its command again on its " +
      "directory (runflow-batch run or submit MANIFEST --out DIR): DIR's results.jsonl brings back the " +
      "rows it recorded as succeeded, and a row run again within 24 hours of its first create is " +
      "replayed by Runflow, not billed again.",
  );
}
