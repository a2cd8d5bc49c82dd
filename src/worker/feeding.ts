/**
 * A worker process keeps the queues of every batch it serves topped up from the batch's row
 * store (queue/feeder.ts): a tick every FEED_DEFAULTS.tickMs, one batch after another. So a
 * batch is fed wherever it is worked — by `run`, by any `worker` or `serve` — and a submitted
 * batch goes on after `submit` has exited.
 */
import type { Redis } from "ioredis";
import { FEED_DEFAULTS } from "../config/defaults.js";
import type { Keys } from "../ledger/keys.js";
import type { Ledger } from "../ledger/ledger.js";
import type { Logger } from "../log/logger.js";
import { createFeeder, type Feeder } from "../queue/feeder.js";
import { createQueues, type Queues } from "../queue/queues.js";

export interface Feeding {
  /** Starts feeding this batch (its feed settings are read from its record). */
  add(batchId: string): Promise<void>;
  remove(batchId: string): Promise<void>;
  close(): Promise<void>;
}

export function startFeeding(o: {
  readonly redis: Redis;
  readonly keys: Keys;
  readonly ledger: Ledger;
  readonly logger: Logger;
  readonly tickMs?: number;
}): Feeding {
  const fed = new Map<string, { feeder: Feeder; queues: Queues }>();
  let ticking: Promise<void> = Promise.resolve();
  const tick = async () => {
    for (const [batchId, { feeder }] of fed) {
      try {
        await feeder.top();
      } catch (err) {
        // Redis trouble is the outage's to report; a batch gone is the lanes'.
        o.logger.debug({ err, batch: batchId }, "Could not queue more of the batch's rows; trying again.");
      }
    }
  };
  const timer = setInterval(() => {
    ticking = ticking.then(tick);
  }, o.tickMs ?? FEED_DEFAULTS.tickMs);
  timer.unref();
  return {
    async add(batchId) {
      if (fed.has(batchId)) return;
      const record = await o.ledger.batches.get(batchId);
      if (!record) return;
      const queues = createQueues(o.redis, o.keys, batchId);
      const { window, retry } = record.submission.feed;
      fed.set(batchId, {
        feeder: createFeeder({ queues, ledger: o.ledger, batchId, retry, window }),
        queues,
      });
      ticking = ticking.then(tick); // the first rows at once, not a tick later
    },
    async remove(batchId) {
      const entry = fed.get(batchId);
      fed.delete(batchId);
      await entry?.queues.close();
    },
    async close() {
      clearInterval(timer);
      await ticking;
      await Promise.all([...fed.values()].map(({ queues }) => queues.close()));
      fed.clear();
    },
  };
}
