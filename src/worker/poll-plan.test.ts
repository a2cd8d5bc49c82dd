import { describe, expect, it } from "vitest";
import { bestWithin, planFor } from "./poll-plan.js";

const spread = (n: number, min: number, max: number) =>
  Array.from({ length: n }, (_, i) => min + ((max - min) * (i + 0.5)) / n);

/** GETs per run and mean lag of polling at `times` (then every second) on these latencies. */
function outcome(times: readonly number[], latencies: readonly number[]) {
  let gets = 0;
  let lag = 0;
  for (const ms of latencies) {
    let at = 0;
    let n = 0;
    for (const t of times) {
      n += 1;
      at = t;
      if (t >= ms) break;
    }
    while (at < ms) {
      at += 1_000;
      n += 1;
    }
    gets += n;
    lag += at - ms;
  }
  return { gets: gets / latencies.length, lag: lag / latencies.length };
}

describe("the best poll times for a latency distribution", () => {
  const uniform = spread(4_000, 15_000, 40_000);

  it("on 15–40 s: 3 GETs per run see the end within ~8 % of the mean latency, 2.5 within ~10 %", () => {
    const three = bestWithin(uniform, 3);
    expect(three.gets).toBeLessThanOrEqual(3);
    expect(three.lagMs / 27_500).toBeLessThan(0.085);
    const measured = outcome(three.times, uniform);
    expect(measured.gets).toBeCloseTo(three.gets, 1);
    expect(measured.lag).toBeCloseTo(three.lagMs, -2);
    const twoAndHalf = bestWithin(uniform, 2.5);
    expect(twoAndHalf.lagMs / 27_500).toBeLessThan(0.105);
    expect(twoAndHalf.lagMs).toBeGreaterThan(three.lagMs);
  });

  it("polls a steady latency once, just after its end", () => {
    const samples = spread(100, 9_990, 10_010).map((ms) => ({ lowMs: ms, highMs: ms }));
    const plan = planFor(samples, { lagShare: 0.06, maxGets: 2.9 });
    expect(plan.times).toHaveLength(1);
    expect(plan.times[0]).toBeGreaterThanOrEqual(10_010);
    expect(plan.times[0]).toBeLessThanOrEqual(10_200);
  });

  it("takes the fewest GETs that meet the lag aimed at, within the GET budget", () => {
    const samples = spread(256, 4_000, 6_000).map((ms) => ({ lowMs: ms, highMs: ms }));
    const plan = planFor(samples, { lagShare: 0.06, maxGets: 2.9 });
    const measured = outcome(plan.times, spread(4_000, 4_000, 6_000));
    expect(measured.lag / 5_000).toBeLessThanOrEqual(0.07);
    expect(measured.gets).toBeLessThanOrEqual(2.5);
    // A tighter lag costs more GETs; a GET budget caps them.
    const tighter = planFor(samples, { lagShare: 0.03, maxGets: 10 });
    expect(tighter.gets).toBeGreaterThan(plan.gets);
    expect(planFor(samples, { lagShare: 0.001, maxGets: 2 }).gets).toBeLessThanOrEqual(2);
  });

  it("places brackets where exact latencies put runs: 'done at the first look' is not early", () => {
    const exact = spread(40, 9_900, 10_100).map((ms) => ({ lowMs: ms, highMs: ms }));
    const firstLook = Array.from({ length: 200 }, () => ({ lowMs: 0, highMs: 10_500 }));
    const plan = planFor([...exact, ...firstLook], { lagShare: 0.06, maxGets: 2.9 });
    expect(plan.times[0]).toBeGreaterThan(9_000);
    expect(plan.meanMs).toBeGreaterThan(9_500);
  });
});
