import { describe, expect, it } from "vitest";
import {
  createRun,
  getJson,
  PROMPT,
  withClockedSimulator,
  withSimulator,
} from "../helpers/simulator-http.js";

describe("5xx faults", () => {
  it("answers every request 500/503 at errorRate 1, and a failed create creates nothing", async () => {
    const sim = await withSimulator({ errorRate: 1 });
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
    expect((await createRun(sim, "openai/gpt-image-2", PROMPT, { idempotencyKey: "row-1" })).status).toBe(
      201,
    );
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
    const { sim, clock } = await withClockedSimulator({ rateLimit: 5 });
    const results = await Promise.all(Array.from({ length: 12 }, () => getJson(sim, "/v1/billing/balance")));
    const limited = results.filter((r) => r.status === 429);
    // The clock stands still: a burst of 5 fits the bucket, the other 7 are refused.
    expect(results.filter((r) => r.status === 200)).toHaveLength(5);
    expect(limited).toHaveLength(7);
    expect(limited[0]?.json).toMatchObject({ code: "RATE_LIMITED", errors: null });
    expect(limited.every((r) => r.headers.get("retry-after") === null)).toBe(true);
    // 5 per second: one token back every 200 ms.
    clock.advance(199);
    expect((await getJson(sim, "/v1/billing/balance")).status).toBe(429);
    clock.advance(1);
    expect((await getJson(sim, "/v1/billing/balance")).status).toBe(200);
    expect((await getJson(sim, "/v1/billing/balance")).status).toBe(429);
    clock.advance(450); // 2.25 tokens back
    expect((await getJson(sim, "/v1/billing/balance")).status).toBe(200);
    expect((await getJson(sim, "/v1/billing/balance")).status).toBe(200);
    expect((await getJson(sim, "/v1/billing/balance")).status).toBe(429);
  });

  it("sends Retry-After in whole seconds when asked, and a limited create creates nothing", async () => {
    const { sim, clock } = await withClockedSimulator({ rateLimit: 2, retryAfter: true });
    const create = (i: number) => createRun(sim, "openai/gpt-image-2", PROMPT, { idempotencyKey: `k${i}` });
    const results = await Promise.all([0, 1, 2, 3].map(create));
    expect(results.map((r) => r.status).sort()).toEqual([201, 201, 429, 429]);
    // Half a token short at 2 per second: 250 ms, rounded up to 1 s.
    clock.advance(250);
    const limited = await create(4);
    expect(limited.status).toBe(429);
    expect(limited.headers.get("retry-after")).toBe("1");
    for (const r of results.filter((r) => r.status === 429)) expect(r.headers.get("retry-after")).toBe("1");
    expect(sim.ledger()).toMatchObject({ runsCreated: 2, createRequests: 5 });
  });

  it("can be switched on and off at runtime", async () => {
    const { sim } = await withClockedSimulator();
    sim.configure({ rateLimit: 1 });
    expect((await getJson(sim, "/v1/billing/balance")).status).toBe(200);
    expect((await getJson(sim, "/v1/billing/balance")).status).toBe(429);
    sim.configure({ rateLimit: null });
    expect((await getJson(sim, "/v1/billing/balance")).status).toBe(200);
  });
});
