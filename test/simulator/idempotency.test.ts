import { describe, expect, it } from "vitest";
import { IDEMPOTENCY_TTL_MS } from "../../src/simulator/idempotency.js";
import { createRun, PROMPT, withClockedSimulator, withSimulator } from "../helpers/simulator-http.js";

describe("Idempotency-Key", () => {
  it("replays the same run for the same key and body: one run, one charge", async () => {
    const { sim, clock } = await withClockedSimulator({ latencyMs: 50 });
    const body = { input: { prompt: "x", quality: "medium", num_images: 2 }, client_ref: "row-1" };
    const first = await createRun(sim, "openai/gpt-image-2", body, { idempotencyKey: "batch-1:row-1" });
    // Same body with keys in another order still counts as the same body.
    const reordered = { client_ref: "row-1", input: { num_images: 2, quality: "medium", prompt: "x" } };
    const second = await createRun(sim, "openai/gpt-image-2", reordered, { idempotencyKey: "batch-1:row-1" });
    clock.advance(50);
    const third = await createRun(sim, "openai/gpt-image-2", body, { idempotencyKey: "batch-1:row-1" });
    expect([first.status, second.status, third.status]).toEqual([201, 201, 201]);
    expect(second.json.id).toBe(first.json.id);
    expect(third.json.id).toBe(first.json.id);
    expect(first.headers.get("idempotent-replayed")).toBeNull();
    expect(second.headers.get("idempotent-replayed")).toBe("true");
    // A replay answers with the run as it is now.
    expect(second.json.status_code).toBe("queued");
    expect(third.json.status_code).toBe("succeeded");
    const ledger = sim.ledger();
    expect(ledger).toMatchObject({ runsCreated: 1, createRequests: 3, replays: 2, billedMicros: 68_000 });
    expect(ledger.byIdempotencyKey["batch-1:row-1"]).toEqual({
      posts: 3,
      runId: first.json.id,
      runIds: [first.json.id],
    });
    expect(ledger.byClientRef["row-1"]).toEqual([first.json.id]);
  });

  it("answers 409 CONFLICT for the same key with a different body (or model), and creates nothing", async () => {
    const sim = await withSimulator();
    const first = await createRun(sim, "openai/gpt-image-2", PROMPT, { idempotencyKey: "k" });
    const other = await createRun(
      sim,
      "openai/gpt-image-2",
      { input: { prompt: "something else" } },
      { idempotencyKey: "k" },
    );
    expect(other.status).toBe(409);
    expect(other.json).toMatchObject({ code: "CONFLICT", errors: null });
    const otherModel = await createRun(sim, "openai/gpt-image-1.5", PROMPT, { idempotencyKey: "k" });
    expect(otherModel.status).toBe(409);
    expect(sim.ledger()).toMatchObject({ runsCreated: 1, createRequests: 3, replays: 0 });
    expect(sim.ledger().byIdempotencyKey.k).toEqual({
      posts: 3,
      runId: first.json.id,
      runIds: [first.json.id],
    });
  });

  it("keeps a key for 24 hours; a POST after that bills a second run, visible in the ledger", async () => {
    const { sim, clock } = await withClockedSimulator();
    const first = await createRun(sim, "openai/gpt-image-2", PROMPT, { idempotencyKey: "k" });
    clock.advance(IDEMPOTENCY_TTL_MS - 1);
    const replay = await createRun(sim, "openai/gpt-image-2", PROMPT, { idempotencyKey: "k" });
    expect(replay.json.id).toBe(first.json.id);
    clock.advance(1);
    const later = await createRun(sim, "openai/gpt-image-2", PROMPT, { idempotencyKey: "k" });
    expect(later.status).toBe(201);
    expect(later.json.id).not.toBe(first.json.id);
    expect(later.headers.get("idempotent-replayed")).toBeNull();
    const ledger = sim.ledger();
    expect(ledger).toMatchObject({ runsCreated: 2, replays: 1, billedMicros: 2 * 133_000 });
    const runIds = [first.json.id, later.json.id];
    expect(ledger.byIdempotencyKey.k).toEqual({ posts: 3, runId: first.json.id, runIds });
  });

  it("makes double billing visible: two keys for one client_ref are two runs", async () => {
    const sim = await withSimulator();
    await createRun(sim, "openai/gpt-image-2", { ...PROMPT, client_ref: "row-9" }, { idempotencyKey: "a" });
    await createRun(sim, "openai/gpt-image-2", { ...PROMPT, client_ref: "row-9" }, { idempotencyKey: "b" });
    await createRun(sim, "openai/gpt-image-2", { ...PROMPT, client_ref: "row-9" });
    // Latency 0: all three have ended (and are billed) by the time the ledger is read.
    const ledger = sim.ledger();
    expect(ledger.byClientRef["row-9"]).toHaveLength(3);
    expect(ledger.billedMicros).toBe(3 * 133_000);
  });

  it("does not bind a key to a refused request: a 402 then a retry with the same key after a top-up creates the run", async () => {
    const sim = await withSimulator({ balanceUsd: "0.1" });
    const refused = await createRun(sim, "openai/gpt-image-2", PROMPT, { idempotencyKey: "row-1" });
    expect(refused.status).toBe(402);
    sim.configure({ balanceUsd: "1" });
    const retried = await createRun(sim, "openai/gpt-image-2", PROMPT, { idempotencyKey: "row-1" });
    expect(retried.status).toBe(201);
    expect(sim.ledger().byIdempotencyKey["row-1"]).toEqual({
      posts: 2,
      runId: retried.json.id,
      runIds: [retried.json.id],
    });
  });
});
