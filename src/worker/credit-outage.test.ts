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
