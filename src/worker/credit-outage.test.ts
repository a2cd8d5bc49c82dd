import { describe, expect, it } from "vitest";
import { createCreditOutage } from "./credit-outage.js";

describe("credit outage", () => {
  it("says the first refusal of an outage only, and starts a new outage once a run is accepted", () => {
    const outage = createCreditOutage();
    expect([outage.refused(), outage.refused(), outage.refused()]).toEqual([true, false, false]);
    outage.accepted();
    outage.accepted();
    expect([outage.refused(), outage.refused()]).toEqual([true, false]);
  });
});

describe("credit outage with an episode", () => {
  it("starts the episode on the first refusal, counts later ones, ends it when a run is accepted", () => {
    const calls: string[] = [];
    const episode = {
      occurred: () => calls.push("occurred"),
      end: () => calls.push("end"),
      ongoing: false,
      since: null,
      close: () => undefined,
    };
    let now = 1_000;
    const outage = createCreditOutage(episode, () => now);
    outage.refused({ reason: "402" });
    now = 5_000;
    outage.refused();
    expect(outage.since()).toBe(1_000);
    outage.accepted();
    outage.accepted();
    expect(calls).toEqual(["occurred", "occurred", "end"]);
    expect(outage.since()).toBeNull();
  });
});
