import { describe, expect, it } from "vitest";
import { advanceUntil, advanceWhile } from "./drive-clock.js";
import { manualClock } from "./manual-clock.js";

describe("driving a manual clock", () => {
  it("advanceWhile moves the clock until the work settles, and returns what it settled with", async () => {
    const clock = manualClock(0);
    const work = new Promise<string>((resolve) => clock.schedule(1_000, () => resolve("ended")));
    expect(await advanceWhile(clock, work, { stepMs: 300, everyMs: 1 })).toBe("ended");
    expect(clock.now()).toBe(1_200); // four steps: the timer fell due in the fourth
    const failing = new Promise<never>((_resolve, reject) =>
      clock.schedule(100, () => reject(new Error("broke"))),
    );
    await expect(advanceWhile(clock, failing, { everyMs: 1 })).rejects.toThrow("broke");
  });

  it("advanceUntil moves the clock before each check", async () => {
    const clock = manualClock(0);
    const seen = await advanceUntil(clock, () => clock.now() >= 1_000 && clock.now(), {
      stepMs: 250,
      everyMs: 1,
    });
    expect(seen).toBe(1_000);
  });
});
