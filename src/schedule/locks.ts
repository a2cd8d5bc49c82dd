/**
 * Locks in Redis that any process on any machine respects: a key set with NX and a random token,
 * released only by its holder (a Lua compare-and-delete). A lease is a lock renewed while its
 * work runs, so it is gone within its time to live of a crash.
 */
import { randomUUID } from "node:crypto";
import { setTimeout as sleep } from "node:timers/promises";
import type { Redis } from "ioredis";

const RELEASE =
  "if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end return 0";
const RENEW =
  "if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('PEXPIRE', KEYS[1], ARGV[2]) end return 0";

export interface RedisLocks {
  /** Runs `work` holding the lock at `key` (waits up to `waitMs` for it); null if it was not free in time. */
  withLock<T>(key: string, ttlMs: number, waitMs: number, work: () => Promise<T>): Promise<T | null>;
  /** The same, renewing the lock every third of `ttlMs` while `work` runs. */
  withLease<T>(key: string, ttlMs: number, waitMs: number, work: () => Promise<T>): Promise<T | null>;
}

export function createRedisLocks(redis: Redis): RedisLocks {
  async function acquire(key: string, ttlMs: number, waitMs: number): Promise<string | null> {
    const token = randomUUID();
    const deadline = Date.now() + waitMs;
    for (;;) {
      if ((await redis.set(key, token, "PX", ttlMs, "NX")) === "OK") return token;
      if (Date.now() >= deadline) return null;
      await sleep(25);
    }
  }
  const release = async (key: string, token: string) => void (await redis.eval(RELEASE, 1, key, token));

  return {
    async withLock(key, ttlMs, waitMs, work) {
      const token = await acquire(key, ttlMs, waitMs);
      if (token === null) return null;
      try {
        return await work();
      } finally {
        await release(key, token);
      }
    },
    async withLease(key, ttlMs, waitMs, work) {
      const token = await acquire(key, ttlMs, waitMs);
      if (token === null) return null;
      const renew = setInterval(
        () => void redis.eval(RENEW, 1, key, token, String(ttlMs)).catch(() => undefined),
        ttlMs / 3,
      );
      renew.unref();
      try {
        return await work();
      } finally {
        clearInterval(renew);
        await release(key, token);
      }
    },
  };
}
