/**
 * A batch's two BullMQ queues (generations, edits: its "lane", see keys.ts laneQueueName) and
 * the job options every row gets. Batches never share queues, so a worker serving one batch can
 * never take another batch's rows.
 */
import { Queue, type JobsOptions } from "bullmq";
import type { Redis } from "ioredis";
import type { RowJobData } from "./job-data.js";
import { laneQueueName, type Keys, type QueueName } from "../ledger/keys.js";
import { closeBullmq } from "../redis/close-bullmq.js";
import { POLICY_BACKOFF } from "../runflow/retry-policy.js";
import type { RetryOptions } from "./retry-options.js";

export type { RetryOptions } from "./retry-options.js";

export type Queues = Readonly<Record<QueueName, Queue<RowJobData>>> & { close(): Promise<void> };

export function createQueues(redis: Redis, keys: Keys, batchId: string): Queues {
  const open = (name: QueueName) => {
    const queue = new Queue<RowJobData>(laneQueueName(batchId, name), {
      connection: redis,
      prefix: keys.bullPrefixFor(batchId),
    });
    // Connection trouble is the Redis outage's to report (connection.ts), once; not a line per queue.
    queue.on("error", () => undefined);
    return queue;
  };
  const generate = open("generate");
  const edit = open("edit");
  return {
    generate,
    edit,
    async close() {
      await Promise.all([closeBullmq(generate), closeBullmq(edit)]);
    },
  };
}

export function jobOptions(jobId: string, retry: RetryOptions): JobsOptions {
  return {
    jobId,
    attempts: retry.attempts,
    // The retry policy's backoff (runflow/retry-policy.ts), which the lanes' workers compute.
    backoff: { type: POLICY_BACKOFF, delay: retry.backoffMs },
    // Results live in our own store; BullMQ's history is only for inspection, so keep it short.
    removeOnComplete: { age: 3_600, count: 10_000 },
    removeOnFail: { age: 7 * 24 * 3_600 },
  };
}
