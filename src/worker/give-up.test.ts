import { describe, expect, it } from "vitest";
import { createGiveUpWatch } from "./give-up.js";

describe("give up after", () => {
  it("gives up only after the whole duration without progress while Runflow refuses", () => {
    const watch = createGiveUpWatch(5_000);
    const credit = "Runflow account is out of credit (402)";
    expect(watch.observe("b", 3, 0, credit)).toBeNull(); // first look
    expect(watch.observe("b", 3, 4_999, credit)).toBeNull();
    expect(watch.observe("b", 3, 5_000, credit)).toBe(
      "gave up after 5 s without progress (--give-up-after): Runflow account is out of credit (402)",
    );
  });

  it("starts counting again on progress, and never gives up on a batch that is only slow", () => {
    const watch = createGiveUpWatch(5_000);
    watch.observe("b", 3, 0, "rate limited");
    expect(watch.observe("b", 4, 4_000, "rate limited")).toBeNull(); // progress at 4 s
    expect(watch.observe("b", 4, 8_000, "rate limited")).toBeNull();
    expect(watch.observe("b", 4, 60_000, null)).toBeNull(); // slow, nothing refused
    expect(watch.observe("b", 4, 60_001, "rate limited")).not.toBeNull();
    watch.forget("b");
    expect(watch.observe("b", 4, 70_000, "rate limited")).toBeNull();
  });
});
