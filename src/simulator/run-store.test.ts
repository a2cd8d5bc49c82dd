import { describe, expect, it } from "vitest";
import { outputSpecOf } from "./dimensions.js";
import { createPrng } from "./prng.js";
import { costAt, createRunStore, planRun, statusAt, type SimRun } from "./run-store.js";

function run(id: string, endMs: number, outcome: "succeeded" | "failed" = "succeeded"): SimRun {
  return {
    id,
    seq: 1,
    model: "openai/gpt-image-2",
    input: { prompt: "x" },
    metadata: null,
    clientRef: null,
    callbackUrl: null,
    idempotencyKey: null,
    createdMs: 0,
    dispatchMs: endMs * 0.1,
    startMs: endMs * 0.25,
    endMs,
    outcome,
    failure: null,
    priceMicros: 133_000,
    output: outputSpecOf("openai/gpt-image-2", { prompt: "x" }),
    seed: 1,
  };
}

describe("run plans", () => {
  it("plans latencies inside the range and phases in order; same seed, same plan", () => {
    const a = createPrng(5);
    const b = createPrng(5);
    for (let i = 0; i < 100; i++) {
      const plan = planRun(a, 1000, { min: 15_000, max: 40_000 }, 0.2);
      expect(plan.endMs - 1000).toBeGreaterThanOrEqual(15_000);
      expect(plan.endMs - 1000).toBeLessThanOrEqual(40_000);
      expect(plan.dispatchMs).toBeLessThanOrEqual(plan.startMs);
      expect(plan.startMs).toBeLessThanOrEqual(plan.endMs);
      expect(planRun(b, 1000, { min: 15_000, max: 40_000 }, 0.2)).toEqual(plan);
    }
  });
});

describe("status and cost off the clock", () => {
  it("queued → dispatching → running → terminal; cost only once ended (0 for a failed run)", () => {
    const r = run("a", 1000);
    expect([0, 99, 100, 249, 250, 999, 1000].map((now) => statusAt(r, now))).toEqual([
      "queued",
      "queued",
      "dispatching",
      "dispatching",
      "running",
      "running",
      "succeeded",
    ]);
    expect([costAt(r, 999), costAt(r, 1000)]).toEqual([null, 133_000]);
    expect(costAt(run("f", 10, "failed"), 10)).toBe(0);
  });
});

describe("run store", () => {
  it("hands each run to onSettle once, in end-time order, when its end has passed", () => {
    const settled: string[] = [];
    const store = createRunStore((r) => settled.push(r.id));
    store.add(run("late", 300));
    store.add(run("early", 100));
    store.add(run("mid", 200));
    expect([store.inFlight(), store.nextDueMs()]).toEqual([3, 100]);
    store.settleDue(99);
    expect(settled).toEqual([]);
    store.settleDue(200);
    store.settleDue(200);
    expect(settled).toEqual(["early", "mid"]);
    expect([store.inFlight(), store.nextDueMs()]).toEqual([1, 300]);
    expect([...store.all()].map((r) => r.id)).toEqual(["late", "early", "mid"]);
    expect(store.get("mid")?.endMs).toBe(200);
  });
});
