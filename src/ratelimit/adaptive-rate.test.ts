import { describe, expect, it } from "vitest";
import { createAdaptiveRate } from "./adaptive-rate.js";

describe("adaptive request rate", () => {
  it("is unlimited until the first 429", () => {
    const rate = createAdaptiveRate();
    for (let i = 0; i < 1_000; i += 1) {
      expect(rate.delayMs(0)).toBe(0);
      rate.take(0);
    }
    expect(rate.rate()).toBe(Infinity);
  });

  it("a 429 stops requests until Retry-After, then spaces them at 70 % of the rate that was sent", () => {
    const rate = createAdaptiveRate();
    for (let t = 0; t < 1_000; t += 10) rate.take(t); // 100 req/s
    rate.rateLimited(999, 2_000);
    expect(rate.rate()).toBeCloseTo(70, 5);
    expect(rate.delayMs(1_000)).toBe(1_999);
    expect(rate.delayMs(2_999)).toBe(0);
    rate.take(2_999);
    expect(rate.delayMs(2_999)).toBeCloseTo(1_000 / 70, 5);
  });

  it("without Retry-After waits the default pause; probes upward each quiet second; never below the floor", () => {
    const rate = createAdaptiveRate({ defaultPauseMs: 500 });
    rate.take(0);
    rate.rateLimited(10, null);
    expect(rate.rate()).toBe(1);
    expect(rate.delayMs(10)).toBe(500);
    rate.delayMs(510 + 3_000);
    expect(rate.rate()).toBe(4); // +1 req/s for each of 3 seconds
    for (let i = 0; i < 10; i += 1) rate.rateLimited(4_000 + i, null);
    expect(rate.rate()).toBe(1);
  });
});
