/**
 * What an account is known to take, kept in Redis per binding (keys.knownRate): the fastest
 * second of requests that met no 429, and whether a 429 was ever met (then that rate is near the
 * account's limit). A process's adaptive limiter starts from it, so a batch does not ramp up from
 * nothing every time, nor run into the limit again at its start. Expires after 7 days unwritten.
 */
import type { Redis } from "ioredis";
import type { KnownRate } from "./adaptive-rate.js";

const TTL_MS = 7 * 24 * 3_600_000;

export interface KnownRateStore {
  load(): Promise<KnownRate | null>;
  save(known: KnownRate): Promise<void>;
}

export function createKnownRateStore(redis: Redis, key: string): KnownRateStore {
  return {
    async load() {
      const fields = await redis.hgetall(key);
      const rps = Number(fields.rps);
      if (!Number.isFinite(rps) || rps <= 0) return null;
      return { rps, limited: fields.limited === "1" };
    },
    async save(known) {
      await redis
        .multi()
        .hset(key, { rps: String(Math.round(known.rps)), limited: known.limited ? "1" : "0" })
        .pexpire(key, TTL_MS)
        .exec();
    },
  };
}
