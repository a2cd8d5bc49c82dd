/**
 * Each batch has its own pair of BullMQ queues (its lane, ledger/keys.ts laneQueueName). The
 * dashboard opens a batch's queues once, when first shown, and closes them all when it stops.
 */
import type { Redis } from "ioredis";
import type { Keys } from "../ledger/keys.js";
import { createQueues, type Queues } from "../queue/queues.js";

export interface Lanes {
  of(batchId: string): Queues;
  close(): Promise<void>;
}

export function createLanes(redis: Redis, keys: Keys): Lanes {
  const open = new Map<string, Queues>();
  return {
    of(batchId) {
      let queues = open.get(batchId);
      if (!queues) {
        queues = createQueues(redis, keys, batchId);
        open.set(batchId, queues);
      }
      return queues;
    },
    async close() {
      await Promise.all([...open.values()].map((q) => q.close()));
      open.clear();
    },
  };
}
