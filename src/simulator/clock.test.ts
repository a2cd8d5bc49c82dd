import { describe, expect, it } from "vitest";
import { monotonic, systemClock, type Clock } from "./clock.js";

describe("clocks", () => {
  it("monotonic() never reads earlier than it already has, and passes scheduling through", () => {
    const readings = [1000, 1005, 990, 1010];
    const scheduled: number[] = [];
    const stepped: Clock = {
      now: () => readings.shift() ?? 0,
      schedule: (delayMs) => {
        scheduled.push(delayMs);
        return () => undefined;
      },
    };
    const clock = monotonic(stepped);
    expect([clock.now(), clock.now(), clock.now(), clock.now()]).toEqual([1000, 1005, 1005, 1010]);
    clock.schedule(25, () => undefined);
    expect(scheduled).toEqual([25]);
  });

  it("systemClock() runs timers once and cancels them", async () => {
    const clock = systemClock();
    const fired: string[] = [];
    const cancel = clock.schedule(0, () => fired.push("cancelled"));
    cancel();
    cancel();
    // Node runs timers of equal delay in the order they were set: the cancelled one would be first.
    await new Promise<void>((resolve) => clock.schedule(0, () => resolve(void fired.push("ran"))));
    expect(fired).toEqual(["ran"]);
    const before = Date.now();
    const now = clock.now();
    expect(now).toBeGreaterThanOrEqual(before);
    expect(now).toBeLessThanOrEqual(Date.now());
  });
});
