import { describe, expect, it } from "vitest";
import type { Simulator } from "../../src/simulator/index.js";
import { createRun, getJson, PROMPT, sleep, withSimulator } from "./helpers.js";

let sim: Simulator | undefined;

describe("5xx faults", () => {
  it("answers every request 500/503 at errorRate 1, and a failed create creates nothing", async () => {
    sim = await withSimulator({ errorRate: 1 });
    const statuses = new Set<number>();
    for (let i = 0; i < 20; i++) {
      const res = await createRun(sim, "openai/gpt-image-2", PROMPT, { idempotencyKey: "row-1" });
      statuses.add(res.status);
      expect(["MODEL_UNAVAILABLE", "INTERNAL_ERROR"]).toContain(res.json.code);
    }
    expect([...statuses].sort()).toEqual([500, 503]);
    expect(sim.ledger()).toMatchObject({ runsCreated: 0, createRequests: 20, billedMicros: 0 });
    // The retry with the same key after the outage is clean: one run.
    sim.configure({ errorRate: 0 });
    expect((await createRun(sim, "openai/gpt-image-2", PROMPT, { idempotencyKey: "row-1" })).status).toBe(201);
    expect(sim.ledger().byIdempotencyKey["row-1"]).toMatchObject({ posts: 21 });
    expect(sim.ledger().runsCreated).toBe(1);
  });

  it("hits about the configured share, reproducibly for one seed", async () => {
    const pattern = async () => {
      const s = await withSimulator({ errorRate: 0.3, seed: 99 });
      const codes: number[] = [];
      for (let i = 0; i < 200; i++) codes.push((await getJson(s, "/v1/billing/balance")).status);
      await s.close();
      return codes;
    };
    const first = await pattern();
    const errors = first.filter((c) => c >= 500).length;
    expect(errors).toBeGreaterThan(35);
    expect(errors).toBeLessThan(85);
    expect(await pattern()).toEqual(first);
  });
});

describe("429 rate limit", () => {
  it("answers 429 RATE_LIMITED above N requests per second, without Retry-After by default", async () => {
    sim = await withSimulator({ rateLimit: 5 });
    const results = await Promise.all(Array.from({ length: 12 }, () => getJson(sim!, "/v1/billing/balance")));
    const limited = results.filter((r) => r.status === 429);
    // A burst of 5 fits the bucket; a 6th only if the burst took over 200 ms on a busy machine.
    expect(results.filter((r) => r.status === 200).length).toBeGreaterThanOrEqual(5);
    expect(limited.length).toBeGreaterThanOrEqual(6);
    expect(limited[0]?.json).toMatchObject({ code: "RATE_LIMITED", errors: null });
    expect(limited.every((r) => r.headers.get("retry-after") === null)).toBe(true);
    await sleep(450); // ~2 tokens back
    expect((await getJson(sim, "/v1/billing/balance")).status).toBe(200);
  });

  it("sends Retry-After in whole seconds when asked, and a limited create creates nothing", async () => {
    sim = await withSimulator({ rateLimit: 2, retryAfter: true });
    const results = await Promise.all(Array.from({ length: 4 }, (_, i) => createRun(sim!, "openai/gpt-image-2", PROMPT, { idempotencyKey: `k${i}` })));
    const limited = results.filter((r) => r.status === 429);
    expect(limited.length).toBeGreaterThanOrEqual(1);
    for (const r of limited) expect(r.headers.get("retry-after")).toMatch(/^[1-9]\d*$/);
    expect(sim.ledger().runsCreated).toBe(4 - limited.length);
  });

  it("can be switched on and off at runtime", async () => {
    sim = await withSimulator();
    sim.configure({ rateLimit: 1 });
    await getJson(sim, "/v1/billing/balance");
    expect((await getJson(sim, "/v1/billing/balance")).status).toBe(429);
    sim.configure({ rateLimit: null });
    expect((await getJson(sim, "/v1/billing/balance")).status).toBe(200);
  });
});
