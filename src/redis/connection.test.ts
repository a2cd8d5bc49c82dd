import { Writable } from "node:stream";
import type { Redis } from "ioredis";
import { describe, expect, it } from "vitest";
import { createLogger } from "../log/logger.js";
import { warnOnUnsafeEviction } from "./connection.js";

function capture() {
  const lines: string[] = [];
  const destination = new Writable({ write: (chunk, _enc, done) => (lines.push(String(chunk)), done()) });
  return { logger: createLogger({ level: "info", destination }), lines };
}

const redisWithPolicy = (policy: string) =>
  ({ config: async () => ["maxmemory-policy", policy] }) as unknown as Redis;

describe("Redis connection checks", () => {
  it("warns when Redis may evict queued jobs", async () => {
    const { logger, lines } = capture();
    await warnOnUnsafeEviction(redisWithPolicy("allkeys-lru"), logger);
    expect(lines.join("")).toMatch(
      /maxmemory-policy is allkeys-lru: queued jobs may be evicted; set it to noeviction/,
    );
  });

  it("stays quiet with noeviction, or when CONFIG is not allowed", async () => {
    const { logger, lines } = capture();
    await warnOnUnsafeEviction(redisWithPolicy("noeviction"), logger);
    await warnOnUnsafeEviction(
      { config: async () => Promise.reject(new Error("unknown command CONFIG")) } as unknown as Redis,
      logger,
    );
    expect(lines).toEqual([]);
  });
});
