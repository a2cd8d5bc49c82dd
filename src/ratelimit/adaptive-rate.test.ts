import { describe, expect, it } from "vitest";
import { createAdaptiveRate } from "./adaptive-rate.js";

/** Sends as fast as allowed from `from` to `to` (ms); returns how many went. */
function drive(rate: ReturnType<typeof createAdaptiveRate>, from: number, to: number): number {
  let sent = 0;
  for (let t = from; t < to;) {
    const wait = rate.delayMs(t);
    if (wait > 0) {
      t += wait;
      continue;
    }
    rate.take(t);
    sent += 1;
  }
  return sent;
}

describe("adaptive request rate", () => {
  it("slow start: begins at 50 req/s and doubles each second it is used, without bursts", () => {
    const rate = createAdaptiveRate();
    expect(drive(rate, 0, 1_000)).toBe(50);
    expect(rate.rate()).toBe(50);
    expect(drive(rate, 1_000, 2_000)).toBe(100);
    expect(drive(rate, 2_000, 3_000)).toBe(200);
  });

  it("does not grow a rate it does not use", () => {
    const rate = createAdaptiveRate();
    rate.delayMs(0);
    rate.take(0);
    rate.delayMs(5_000);
    expect(rate.rate()).toBe(50);
  });

  it("a 429 stops requests until Retry-After, then spaces them at 80 % of the rate that was sent, probing up 10 %/s", () => {
    const rate = createAdaptiveRate({ initialRps: 100 });
    expect(drive(rate, 0, 1_000)).toBe(100);
    rate.rateLimited(999, 2_000);
    expect(rate.rate()).toBeCloseTo(80, 5);
    expect(rate.delayMs(1_000)).toBe(1_999);
    expect(rate.delayMs(2_999)).toBe(0);
    rate.take(2_999);
    expect(rate.delayMs(2_999)).toBeCloseTo(1_000 / 80, 5);
    rate.delayMs(2_999 + 2_000);
    expect(rate.rate()).toBeCloseTo(80 * 1.1 * 1.1, 5); // no more doubling after a 429
  });

  it("without Retry-After waits the default pause; never below the floor", () => {
    const rate = createAdaptiveRate({ defaultPauseMs: 500 });
    rate.take(0);
    rate.rateLimited(10, null);
    expect(rate.rate()).toBe(1);
    expect(rate.delayMs(10)).toBe(500);
    for (let i = 0; i < 10; i += 1) rate.rateLimited(4_000 + i, null);
    expect(rate.rate()).toBe(1);
  });
});
