import { describe, expect, it } from "vitest";
import { createAdaptiveRate, type AdaptiveRate } from "./adaptive-rate.js";

/** Sends as fast as allowed from `from` to `to` (ms), in bursts; returns how many went. */
function drive(rate: AdaptiveRate, from: number, to: number): number {
  let sent = 0;
  for (let t = from; t < to;) {
    const wait = rate.delayMs(t);
    if (wait > 0) {
      t += wait;
      continue;
    }
    for (let n = rate.available(t); n > 0; n -= 1, sent += 1) rate.take(t);
  }
  return sent;
}

/** When the n-th request can go (ms), sending as fast as allowed from 0. */
function timeFor(rate: AdaptiveRate, n: number): number {
  let sent = 0;
  for (let t = 0; ;) {
    const wait = rate.delayMs(t);
    if (wait > 0) {
      t += wait;
      continue;
    }
    for (let k = rate.available(t); k > 0; k -= 1) {
      rate.take(t);
      if (++sent === n) return t;
    }
  }
}

describe("adaptive request rate", () => {
  it("knowing nothing: a second's worth at once, then doubling every 100 ms: 2,000 within 1 s", () => {
    const rate = createAdaptiveRate();
    expect(rate.available(0)).toBe(100);
    expect(timeFor(createAdaptiveRate(), 2_000)).toBeLessThanOrEqual(1_000);
  });

  it("starts from what the account is known to take: a first wave of that size goes at once", () => {
    const rate = createAdaptiveRate({ known: { rps: 800, limited: false } });
    expect(rate.available(0)).toBe(800);
    expect(timeFor(createAdaptiveRate({ known: { rps: 800, limited: false } }), 2_000)).toBeLessThanOrEqual(
      800,
    );
    // A known rate below the start rate that met no limit is no reason to start lower.
    expect(createAdaptiveRate({ known: { rps: 20, limited: false } }).rate()).toBe(100);
  });

  it("a rate known to meet the limit is kept, then probed 10 % higher each second, no doubling", () => {
    const rate = createAdaptiveRate({ known: { rps: 100, limited: true } });
    expect(drive(rate, 0, 1_000)).toBeGreaterThanOrEqual(100);
    drive(rate, 1_000, 3_000);
    expect(rate.rate()).toBeGreaterThan(100);
    expect(rate.rate()).toBeLessThan(130);
  });

  it("does not grow a rate it does not use", () => {
    const rate = createAdaptiveRate();
    rate.take(0);
    rate.delayMs(5_000);
    expect(rate.rate()).toBe(100);
  });

  it("a 429 keeps 90 % of what Runflow let through in a second, holds requests for Retry-After", () => {
    const rate = createAdaptiveRate({ initialRps: 300 });
    for (let i = 0; i < 300; i += 1) rate.take(0); // a burst of 300 …
    for (let i = 0; i < 200; i += 1) rate.rateLimited(10, 1_000); // … of which 200 were refused
    expect(rate.rate()).toBeCloseTo(90, 5);
    expect(rate.delayMs(10)).toBe(1_000);
    expect(rate.available(500)).toBe(0);
    expect(rate.delayMs(1_010)).toBeLessThanOrEqual(12); // then at the new rate, from empty
    expect(rate.available(2_010)).toBe(90);
    expect(rate.known()).toEqual({ rps: 90, limited: true });
    drive(rate, 1_010, 3_010);
    expect(rate.rate()).toBeLessThan(120); // probing, no doubling
  });

  it("without Retry-After pauses half a second; never below the floor", () => {
    const rate = createAdaptiveRate();
    rate.take(0);
    rate.rateLimited(10, null);
    expect(rate.rate()).toBe(1);
    expect(rate.delayMs(10)).toBe(500);
  });

  it("knows the fastest second that met no 429", () => {
    const rate = createAdaptiveRate();
    drive(rate, 0, 3_000);
    expect(rate.known().limited).toBe(false);
    expect(rate.known().rps).toBeGreaterThan(1_000);
  });
});
