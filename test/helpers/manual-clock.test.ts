import { describe, expect, it } from "vitest";
import { MANUAL_CLOCK_START, manualClock } from "./manual-clock.js";

describe("manualClock", () => {
  it("fires due timers in order, each at its due time, and timers they schedule inside the step", () => {
    const clock = manualClock();
    const fired: Array<[string, number]> = [];
    const at = (name: string) => () => fired.push([name, clock.now() - MANUAL_CLOCK_START]);
    clock.schedule(30, at("c"));
    clock.schedule(10, () => {
      at("a")();
      clock.schedule(5, at("a+5"));
    });
    clock.schedule(10, at("b"));
    clock.schedule(100, at("late"));
    expect(clock.pending()).toEqual([10, 10, 30, 100]);
    clock.advance(30);
    expect(fired).toEqual([
      ["a", 10],
      ["b", 10],
      ["a+5", 15],
      ["c", 30],
    ]);
    expect(clock.now()).toBe(MANUAL_CLOCK_START + 30);
    expect(clock.pending()).toEqual([70]);
  });

  it("cancels timers, treats negative delays as 0 and refuses to go backwards", () => {
    const clock = manualClock(0);
    let count = 0;
    const cancel = clock.schedule(5, () => (count += 1));
    clock.schedule(-10, () => (count += 10));
    cancel();
    cancel();
    clock.advance(0);
    expect(count).toBe(10);
    clock.advance(10);
    expect(count).toBe(10);
    expect(() => clock.advance(-1)).toThrow(/ms ≥ 0/);
  });
});
