import { describe, expect, it } from "vitest";
import { createLocalWakeups } from "./wakeups.js";

describe("local wakeups", () => {
  it("a callback ends the run's sleep early; other runs sleep on", async () => {
    const wakeups = createLocalWakeups();
    const a = wakeups.sleep("run_a", 60_000);
    const b = wakeups.sleep("run_b", 60_000);
    expect(wakeups.waiting()).toBe(2);
    wakeups.wake("run_a");
    expect(await a).toBe("callback");
    expect(wakeups.waiting()).toBe(1);
    await wakeups.close();
    void b;
  });
  it("a callback that came before the sleep wakes the next sleep once, not every one after", async () => {
    const wakeups = createLocalWakeups();
    wakeups.wake("run_fast");
    expect(await wakeups.sleep("run_fast", 60_000)).toBe("callback");
    expect(await wakeups.sleep("run_fast", 1)).toBe("timer");
  });
  it("shutdown rejects every sleeper through one listener", async () => {
    const stop = new AbortController();
    const wakeups = createLocalWakeups(stop.signal);
    const sleeps = Array.from({ length: 100 }, (_, i) =>
      wakeups.sleep(`run_${i}`, 60_000).catch((e: unknown) => e),
    );
    stop.abort(new Error("shutting down"));
    for (const result of await Promise.all(sleeps))
      expect(result).toMatchObject({ message: "shutting down" });
    expect(wakeups.waiting()).toBe(0);
    await expect(wakeups.sleep("later", 1)).rejects.toThrow("shutting down");
  });
});
