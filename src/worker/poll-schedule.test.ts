import { describe, expect, it } from "vitest";
import { pollDelay, scheduleFor } from "./poll-schedule.js";

describe("poll schedule", () => {
  const schedule = scheduleFor(20_000, { jitter: 0 });

  it("first looks at about three quarters of the model's typical duration", () => {
    expect(pollDelay(schedule, 0)).toBe(15_000);
  });

  it("then polls every 2 s, growing by half each time up to 10 s", () => {
    expect([1, 2, 3, 4, 5, 6, 7].map((n) => pollDelay(schedule, n))).toEqual([2_000, 3_000, 4_500, 6_750, 10_000, 10_000, 10_000]);
  });

  it("spreads the first look earlier only, so a run that ends on time is never seen late", () => {
    const jittered = scheduleFor(20_000);
    expect(pollDelay(jittered, 0, () => 0)).toBe(15_000);
    expect(pollDelay(jittered, 0, () => 0.5)).toBe(13_500);
    expect(pollDelay(jittered, 0, () => 0.999_999)).toBe(12_000);
  });

  it("spreads later delays both ways by the jitter so runs started together do not poll in lockstep", () => {
    const jittered = scheduleFor(20_000);
    expect(pollDelay(jittered, 1, () => 0)).toBe(1_600);
    expect(pollDelay(jittered, 1, () => 0.999_999)).toBe(2_400);
    expect(pollDelay(jittered, 1, () => 0.5)).toBe(2_000);
  });

  it("honours overrides (tests and the simulator poll fast)", () => {
    const fast = scheduleFor(20_000, { initialMs: 30, intervalMs: 30, maxMs: 30, jitter: 0 });
    expect([0, 1, 5].map((n) => pollDelay(fast, n))).toEqual([30, 30, 30]);
  });
});
