/**
 * The exact create body of a row's current attempt, kept before its POST — only for rows made
 * from a draft image (promote), whose input holds a freshly signed URL: a create repeated after a
 * crash or a lost answer must send the same body under the same Idempotency-Key, or Runflow
 * answers 409 instead of replaying the run. Keyed by attempt and content, so a new attempt (or a
 * changed row) never reuses an old body. Ordinary rows keep nothing here.
 */
import type { Redis } from "ioredis";
import { z } from "zod";
import type { Keys } from "./keys.js";

const savedBody = z.object({
  attempt: z.number().int().positive(),
  content_sha: z.string(),
  input: z.record(z.string(), z.unknown()),
});

type SavedBody = z.infer<typeof savedBody>;

export interface CreateBodies {
  /** The body saved for the row, or null (none, or unreadable: then a new one is made). */
  get(batchId: string, row: string): Promise<SavedBody | null>;
  save(batchId: string, row: string, body: SavedBody): Promise<void>;
  /** Runflow definitely created nothing with it: the next try may take a fresh URL. */
  forget(batchId: string, row: string): Promise<void>;
}

export function createCreateBodies(redis: Redis, keys: Keys): CreateBodies {
  return {
    async get(batchId, row) {
      const text = await redis.hget(keys.createBodies(batchId), row);
      if (text === null) return null;
      try {
        const parsed = savedBody.safeParse(JSON.parse(text));
        return parsed.success ? parsed.data : null;
      } catch {
        return null;
      }
    },
    async save(batchId, row, body) {
      await redis.hset(keys.createBodies(batchId), row, JSON.stringify(body));
    },
    async forget(batchId, row) {
      await redis.hdel(keys.createBodies(batchId), row);
    },
  };
}
