/**
 * A worker process's row dependencies (row-types.ts RowDeps), shared by every lane: the client,
 * the row ledger (whoever records a batch's last row ends the batch), the batches' directories,
 * how rows wait on their runs, and the process's download limit.
 */
import type { Redis } from "ioredis";
import pLimit from "p-limit";
import { WORKER_DEFAULTS } from "../config/defaults.js";
import { createCreateBodies } from "../ledger/create-bodies.js";
import type { Keys } from "../ledger/keys.js";
import { createRowLedger } from "../ledger/row-ledger.js";
import type { Logger } from "../log/logger.js";
import type { RunflowClient } from "../runflow/types.js";
import type { BatchFinisher } from "./batch-end.js";
import type { CreditOutage } from "./credit-outage.js";
import { createImageDirs } from "./outputs.js";
import type { BatchInfo, RowDeps } from "./row-types.js";
import type { RunWaits } from "./run-waits.js";

export interface RowDepsOptions {
  readonly client: RunflowClient;
  /** The worker's own auto-pipelined connection for its row bookkeeping. */
  readonly redis: Redis;
  readonly keys: Keys;
  readonly logger: Logger;
  readonly now: () => Date;
  readonly waits: RunWaits;
  readonly batchInfo: (batchId: string) => Promise<BatchInfo>;
  /** Ends batches whose last row this process records; null when the command ends them itself. */
  readonly finisher: BatchFinisher | null;
  readonly credit: CreditOutage;
  /** Image downloads at once in this process. */
  readonly downloadConcurrency: number;
  /** Shutdown. */
  readonly signal: AbortSignal;
}

export function createRowDeps(o: RowDepsOptions): RowDeps {
  const rowLedger = createRowLedger(o.redis, o.keys);
  return {
    client: o.client,
    rows: {
      ...rowLedger,
      // Whoever records a batch's last row ends the batch.
      async record(batchId, result) {
        const recorded = await rowLedger.record(batchId, result);
        if (recorded) void o.finisher?.check(batchId);
        return recorded;
      },
    },
    batchInfo: o.batchInfo,
    logger: o.logger,
    now: o.now,
    poll: o.waits.poll,
    sleep: o.waits.sleep,
    imageDirs: createImageDirs(),
    ...(o.waits.callbackUrl === undefined ? {} : { callbackUrl: o.waits.callbackUrl }),
    maxConsecutivePollErrors: WORKER_DEFAULTS.maxConsecutivePollErrors,
    downloads: pLimit(o.downloadConcurrency),
    signal: o.signal,
    onRunCreated: () => o.credit.accepted(),
    createBodies: createCreateBodies(o.redis, o.keys),
  };
}
