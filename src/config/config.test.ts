import { describe, expect, it } from "vitest";
import { readConfig } from "./config.js";

describe("Redis Cluster settings", () => {
  it("RUNFLOW_BATCH_REDIS_CLUSTER turns cluster mode on or off, and says what it takes otherwise", () => {
    expect(readConfig({}, {}).redisCluster).toBe(false);
    expect(readConfig({}, { RUNFLOW_BATCH_REDIS_CLUSTER: "1" }).redisCluster).toBe(true);
    expect(readConfig({}, { RUNFLOW_BATCH_REDIS_CLUSTER: "Yes" }).redisCluster).toBe(true);
    expect(readConfig({}, { RUNFLOW_BATCH_REDIS_CLUSTER: "off" }).redisCluster).toBe(false);
    expect(readConfig({ redisCluster: "true" }, { RUNFLOW_BATCH_REDIS_CLUSTER: "0" }).redisCluster).toBe(
      true,
    );
    expect(() => readConfig({}, { RUNFLOW_BATCH_REDIS_CLUSTER: "cluster" })).toThrow(
      /RUNFLOW_BATCH_REDIS_CLUSTER must be 1 or 0 .*got "cluster"/,
    );
  });

  it("refuses a prefix that would break the keys' hash tag", () => {
    expect(readConfig({}, { RUNFLOW_BATCH_PREFIX: "shop-eu.1" }).redisPrefix).toBe("shop-eu.1");
    expect(() => readConfig({}, { RUNFLOW_BATCH_PREFIX: "a}b" })).toThrow(
      /RUNFLOW_BATCH_PREFIX must not contain braces or spaces .*got "a}b"/,
    );
  });
});
