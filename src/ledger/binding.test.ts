import { describe, expect, it } from "vitest";
import {
  accountFingerprint,
  bindingFor,
  defaultBatchId,
  describeBinding,
  sameBinding,
  SIMULATOR_ENDPOINT,
} from "./binding.js";

describe("batch binding", () => {
  it("names the simulator the same way whatever port it listens on", () => {
    expect(bindingFor(null, "rf_simulated_local")).toEqual(bindingFor(null, "rf_simulated_local"));
    expect(bindingFor(null, "k").endpoint).toBe(SIMULATOR_ENDPOINT);
  });

  it("tells endpoints and accounts apart without revealing the key", () => {
    const live = bindingFor("https://api.runflow.io/", "rf_live_secret");
    expect(live.endpoint).toBe("https://api.runflow.io");
    expect(sameBinding(live, bindingFor("https://API.runflow.io", "rf_live_secret"))).toBe(true);
    expect(sameBinding(live, bindingFor("https://api.runflow.io", "rf_live_other"))).toBe(false);
    expect(sameBinding(live, bindingFor("http://127.0.0.1:8787", "rf_live_secret"))).toBe(false);
    expect(accountFingerprint("rf_live_secret")).toMatch(/^acct-[0-9a-f]{16}$/);
    expect(describeBinding(live)).not.toContain("secret");
  });

  it("derives the default batch id from the directory and the binding, not the manifest", () => {
    const live = bindingFor("https://api.runflow.io", "k");
    const sim = bindingFor(null, "k");
    const a = defaultBatchId("/data/out/d1", live);
    expect(a).toMatch(/^b-[0-9a-f]{12}$/);
    expect(defaultBatchId("/data/out/d1", live)).toBe(a);
    expect(defaultBatchId("/data/out/d2", live)).not.toBe(a);
    expect(defaultBatchId("/data/out/d1", sim)).not.toBe(a);
  });
});
