/**
 * What `status` reads to say what a batch waits for: the conditions its workers noted
 * (ledger/waits.ts), the workers connected to its queues now, and its rows in flight whose worker
 * is gone (BullMQ's processedBy names a worker no longer connected): those wait for that
 * worker's lock to expire before another worker resumes them.
 */
import { WORKER_DEFAULTS } from "../config/defaults.js";
import type { BatchRecord } from "../ledger/batch-record.js";
import { createBatchWaits } from "../ledger/waits.js";
import { createQueues, type Queues } from "../queue/queues.js";
import type { WaitFacts } from "../report/waiting-for.js";
import type { QueueDeps } from "../runtime/deps.js";

export interface WaitFactsReader {
  read(record: BatchRecord): Promise<WaitFacts>;
  close(): Promise<void>;
}

/** Names of the workers connected to a queue (after BullMQ's ":w:"), or null when Redis will not say. */
async function liveNames(queue: Queues["generate"]): Promise<string[] | null> {
  try {
    const clients = (await queue.getWorkers()) as { rawname?: string }[];
    if (clients.some((c) => c.rawname === undefined)) return null; // e.g. CLIENT LIST not allowed
    return clients.map((c) => c.rawname?.split(":w:")[1] ?? "");
  } catch {
    return null;
  }
}

export function waitFactsReader(deps: Pick<QueueDeps, "redis" | "keys">, batchId: string): WaitFactsReader {
  const waits = createBatchWaits(deps.redis, deps.keys);
  let queues: Queues | null = null;
  return {
    async read(record) {
      const conditions = await waits.read(record.id);
      if (record.endedAt !== null)
        return { conditions, orphaned: 0, liveWorkers: null, lockDurationMs: WORKER_DEFAULTS.lockDurationMs };
      queues ??= createQueues(deps.redis, deps.keys, batchId);
      const lanes = [queues.generate, queues.edit];
      const names = await Promise.all(lanes.map(liveNames));
      const known = names.every((n) => n !== null);
      const live = new Set(names.flatMap((n) => n ?? []));
      let orphaned = 0;
      if (known) {
        const active = (await Promise.all(lanes.map((q) => q.getActive()))).flat();
        orphaned = active.filter((job) => !live.has(job.processedBy ?? "")).length;
      }
      return {
        conditions,
        orphaned,
        liveWorkers: known ? live.size : null,
        lockDurationMs: WORKER_DEFAULTS.lockDurationMs,
      };
    },
    async close() {
      await queues?.close();
    },
  };
}
