import { describe, expect, it } from "vitest";
import { planSync, schedulerIdOf } from "./sync-plan.js";

describe("the plan of a sync", () => {
  it("adds, updates, removes ours that are gone or disabled, never touches others", () => {
    const plan = planSync(
      [
        { name: "new", hash: "n1", enabled: true },
        { name: "same", hash: "s1", enabled: true },
        { name: "edited", hash: "e2", enabled: true },
        { name: "off", hash: "o1", enabled: false },
      ],
      [
        { id: schedulerIdOf("same"), hash: "s1" },
        { id: schedulerIdOf("edited"), hash: "e1" },
        { id: schedulerIdOf("off"), hash: "o1" },
        { id: schedulerIdOf("deleted"), hash: "d1" },
        { id: "someone-elses-scheduler", hash: null },
      ],
    );
    expect(plan.add.map((w) => w.name)).toEqual(["new"]);
    expect(plan.change.map((w) => w.name)).toEqual(["edited"]);
    expect(plan.unchanged.map((w) => w.name)).toEqual(["same"]);
    expect(plan.disabled.map((w) => w.name)).toEqual(["off"]);
    expect(plan.remove).toEqual(["rfb-schedule:off", "rfb-schedule:deleted"]);
  });

  it("is empty when Redis already holds the folder", () => {
    const plan = planSync([{ name: "a", hash: "h", enabled: true }], [{ id: schedulerIdOf("a"), hash: "h" }]);
    expect([plan.add, plan.change, plan.remove]).toEqual([[], [], []]);
  });
});
