/**
 * What a worker serves, found: its one batch at once, or — serving the pool — every batch
 * submitted for its endpoint and account, looked up in Redis every WORKER_DEFAULTS.discoverMs
 * (lanes of batches no longer listed are closed).
 */
import { WORKER_DEFAULTS } from "../config/defaults.js";
import type { Binding } from "../ledger/binding.js";
import type { BatchPool } from "../ledger/pool.js";
import type { Logger } from "../log/logger.js";
import { isRedisFault } from "../redis/faults.js";
import type { BatchLanes } from "./batch-lanes.js";

/** One batch, or every batch submitted for the worker's own binding. */
export type WorkerScope = { readonly batchId: string } | { readonly pool: true };

export interface DiscoveryOptions {
  readonly scope: WorkerScope;
  readonly lanes: BatchLanes;
  readonly pool: Pick<BatchPool, "members">;
  readonly binding: Binding;
  readonly logger: Logger;
}

export interface Discovery {
  /** Stops looking; resolves once a look in progress is done. */
  close(): Promise<void>;
}

export function startDiscovery(o: DiscoveryOptions): Discovery {
  const { lanes, logger } = o;
  let timer: NodeJS.Timeout | null = null;
  let discovering: Promise<void> = Promise.resolve();
  if ("batchId" in o.scope) discovering = lanes.serve(o.scope.batchId);
  else {
    const discover = async () => {
      const listed = new Set(await o.pool.members(o.binding));
      for (const id of listed) await lanes.serve(id);
      await lanes.keepOnly(listed);
    };
    const tick = () => {
      discovering = discovering.then(discover).catch((err: unknown) =>
        // Redis failing is the Redis outage's to report (redis/connection.ts), once.
        isRedisFault(err)
          ? logger.debug({ err }, "Could not look for batches to serve (Redis failed).")
          : logger.warn({ err }, "Could not look for batches to serve; trying again shortly."),
      );
    };
    tick();
    timer = setInterval(tick, WORKER_DEFAULTS.discoverMs);
    timer.unref();
  }
  discovering.catch((err: unknown) =>
    isRedisFault(err)
      ? logger.debug({ err }, "Could not open the batch's queues (Redis failed).")
      : logger.warn({ err }, "Could not open the batch's queues."),
  );
  return {
    async close() {
      if (timer) clearInterval(timer);
      await discovering.catch(() => undefined);
    },
  };
}
