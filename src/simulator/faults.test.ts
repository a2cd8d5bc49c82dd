import { describe, expect, it } from "vitest";
import { createRateLimiter, pickServerFault, retryAfterSeconds } from "./faults.js";
import { createPrng } from "./prng.js";

describe("rate limiter", () => {
  it("allows N per second, says how long to wait, and refills with time", () => {
    const limiter = createRateLimiter(4, 0);
    expect([0, 0, 0, 0].map(() => limiter.take(0))).toEqual([0, 0, 0, 0]);
    expect(limiter.take(0)).toBe(250);
    expect(limiter.take(250)).toBe(0);
    expect(limiter.take(250)).toBe(250);
  });

  it("spells Retry-After in whole seconds, at least 1", () => {
    expect([1, 250, 1000, 1001].map(retryAfterSeconds)).toEqual(["1", "1", "1", "2"]);
  });
});

describe("server faults", () => {
  it("never at rate 0, always at rate 1, as 500 or 503", () => {
    const prng = createPrng(1);
    expect(Array.from({ length: 50 }, () => pickServerFault(prng, 0))).toEqual(Array(50).fill(null));
    const statuses = new Set(Array.from({ length: 50 }, () => pickServerFault(prng, 1)?.status));
    expect([...statuses].sort()).toEqual([500, 503]);
  });
});
