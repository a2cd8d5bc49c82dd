/**
 * The ledger: what Redis knows about batches and their rows, outside BullMQ. Four parts, each
 * used by whoever needs only it: batch records (commands, status), the row store (the rows as
 * submitted), the row ledger (the worker) and the result reader (reports, status, the feeder).
 */
import type { Redis } from "ioredis";
import type { Keys } from "./keys.js";
import { createBatchRecords, type BatchRecords } from "./batch-records.js";
import { createResultReader, type ResultReader } from "./result-reader.js";
import { createRowLedger, type RowLedger } from "./row-ledger.js";
import { createRowStore, type RowStore } from "./row-store.js";

export interface Ledger {
  readonly batches: BatchRecords;
  readonly rows: RowLedger;
  readonly results: ResultReader;
  /** The batch's rows as validated and priced: what feeders, workers and reports read. */
  readonly rowStore: RowStore;
}

export function createLedger(redis: Redis, keys: Keys): Ledger {
  return {
    batches: createBatchRecords(redis, keys),
    rows: createRowLedger(redis, keys),
    results: createResultReader(redis, keys),
    rowStore: createRowStore(redis, keys),
  };
}
