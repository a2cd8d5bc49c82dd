/**
 * The pool of batches `submit` queued for the workers of one binding (endpoint + account): a
 * Redis set per binding. `worker` without --batch serves every batch in its own binding's pool,
 * so it can never see another endpoint's or account's batches.
 */
import type { Redis } from "ioredis";
import type { Keys } from "./keys.js";
import { bindingId, type Binding } from "./binding.js";

export interface BatchPool {
  add(binding: Binding, batchId: string): Promise<void>;
  remove(binding: Binding, batchId: string): Promise<void>;
  members(binding: Binding): Promise<string[]>;
}

export function createBatchPool(redis: Redis, keys: Keys): BatchPool {
  const key = (binding: Binding) => keys.active(bindingId(binding));
  return {
    async add(binding, batchId) {
      await redis.sadd(key(binding), batchId);
    },
    async remove(binding, batchId) {
      await redis.srem(key(binding), batchId);
    },
    members: (binding) => redis.smembers(key(binding)),
  };
}
