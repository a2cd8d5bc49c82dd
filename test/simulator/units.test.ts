/** The simulator's pure parts, with an explicit clock where the HTTP tests cannot wait (24 h keys). */
import { describe, expect, it } from "vitest";
import { parseLatency } from "../../src/cli/simulator.js";
import { createRateLimiter } from "../../src/simulator/faults.js";
import { canonicalJson } from "../../src/core/canonical-json.js";
import { createIdempotencyStore, fingerprintOf } from "../../src/simulator/idempotency.js";
import { IDEMPOTENCY_TTL_MS } from "../../src/simulator/idempotency.js";
import { createMinHeap } from "../../src/simulator/min-heap.js";
import { outputSpecOf } from "../../src/simulator/dimensions.js";
import { createPrng } from "../../src/simulator/prng.js";
import { planRun } from "../../src/simulator/run-store.js";

describe("idempotency keys", () => {
  it("replay within 24 h, conflict on another body, and a fresh start after expiry", () => {
    const store = createIdempotencyStore();
    const a = fingerprintOf("openai/gpt-image-2", { input: { prompt: "x", quality: "low" } });
    const same = fingerprintOf("openai/gpt-image-2", { input: { quality: "low", prompt: "x" } });
    const b = fingerprintOf("openai/gpt-image-2", { input: { prompt: "y" } });
    expect(same).toBe(a);
    expect(store.lookup("k", a, 0)).toEqual({ kind: "new" });
    store.bind("k", a, "run-1", 0);
    expect(store.lookup("k", a, IDEMPOTENCY_TTL_MS - 1)).toEqual({ kind: "replay", runId: "run-1" });
    expect(store.lookup("k", b, 1000)).toEqual({ kind: "conflict", runId: "run-1" });
    expect(store.lookup("k", b, IDEMPOTENCY_TTL_MS)).toEqual({ kind: "new" });
    store.bind("old", a, "run-2", 0);
    store.bind("young", a, "run-3", 10);
    store.purgeExpired(IDEMPOTENCY_TTL_MS + 5);
    expect(store.size()).toBe(1);
  });

  it("canonical JSON ignores key order but not values or array order", () => {
    expect(canonicalJson({ b: 1, a: { d: [1, 2], c: null } })).toBe('{"a":{"c":null,"d":[1,2]},"b":1}');
    expect(canonicalJson({ a: [2, 1] })).not.toBe(canonicalJson({ a: [1, 2] }));
  });
});

describe("building blocks", () => {
  it("the heap pops in end-time order", () => {
    const heap = createMinHeap<number>((n) => n);
    const values = Array.from({ length: 500 }, (_, i) => (i * 7919) % 1000);
    for (const v of values) heap.push(v);
    const out: number[] = [];
    for (let v = heap.pop(); v !== undefined; v = heap.pop()) out.push(v);
    expect(out).toEqual([...values].sort((x, y) => x - y));
  });

  it("the rate limiter allows N per second and says how long to wait", () => {
    const limiter = createRateLimiter(4, 0);
    expect([0, 0, 0, 0].map(() => limiter.take(0))).toEqual([0, 0, 0, 0]);
    expect(limiter.take(0)).toBe(250);
    expect(limiter.take(250)).toBe(0);
  });

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

  it("derives image count, format and size from the input", () => {
    expect(outputSpecOf("openai/gpt-image-2", { prompt: "x" })).toEqual({ count: 1, format: "png", width: 1024, height: 768 });
    expect(outputSpecOf("openai/gpt-image-2/edit", { prompt: "x", image_urls: [], num_images: 4, output_format: "webp" })).toEqual({ count: 4, format: "webp", width: 1024, height: 1024 });
    expect(outputSpecOf("runflow/product-isolation", { aspect_ratio: "9:16", resolution: "4K" })).toEqual({ count: 1, format: "png", width: 2304, height: 4096 });
    expect(outputSpecOf("runflow/tag-removal", { image_url: "https://x" })).toMatchObject({ count: 1, width: 1024, height: 1024 });
  });

  it("reads --latency as MS or MIN-MAX", () => {
    expect(parseLatency("500")).toBe(500);
    expect(parseLatency("15000-40000")).toEqual({ min: 15_000, max: 40_000 });
    expect(() => parseLatency("fast")).toThrow(/--latency/);
  });
});
