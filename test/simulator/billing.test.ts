import { describe, expect, it } from "vitest";
import type { Simulator } from "../../src/simulator/index.js";
import { createRun, getJson, sleep, withSimulator } from "./helpers.js";

let sim: Simulator | undefined;

const HIGH = { input: { prompt: "x", quality: "high" } }; // $0.133

describe("balance and 402", () => {
  it("refuses a run its remaining credit cannot cover, counting runs in flight, and accepts again after configure() tops up", async () => {
    sim = await withSimulator({ balanceUsd: "0.300000", latencyMs: 100 });
    expect((await createRun(sim, "openai/gpt-image-2", HIGH)).status).toBe(201);
    expect((await createRun(sim, "openai/gpt-image-2", HIGH)).status).toBe(201);
    expect((await getJson(sim, "/v1/billing/balance")).json).toMatchObject({ balance: "0.034000", reserved: "0.266000" });
    const refused = await createRun(sim, "openai/gpt-image-2", HIGH);
    expect(refused.status).toBe(402);
    expect(refused.json).toMatchObject({ code: "INSUFFICIENT_CREDIT", errors: null });
    expect(refused.json.message).toContain("0.133000");
    // A cheaper run still fits.
    expect((await createRun(sim, "openai/gpt-image-2", { input: { prompt: "x", quality: "low" } })).status).toBe(201);
    await sleep(150);
    expect((await getJson(sim, "/v1/billing/balance")).json).toMatchObject({ balance: "0.025000", billed: "0.275000", reserved: "0.000000" });
    sim.configure({ balanceUsd: "5" });
    expect((await createRun(sim, "openai/gpt-image-2", HIGH)).status).toBe(201);
    expect(sim.ledger().runsCreated).toBe(4);
  });

  it("releases the reservation of a failed run", async () => {
    sim = await withSimulator({ balanceUsd: "0.133", failRate: 1, latencyMs: 30 });
    expect((await createRun(sim, "openai/gpt-image-2", HIGH)).status).toBe(201);
    expect((await createRun(sim, "openai/gpt-image-2", HIGH)).status).toBe(402);
    await sleep(60);
    expect((await createRun(sim, "openai/gpt-image-2", HIGH)).status).toBe(201);
    expect((await getJson(sim, "/v1/billing/balance")).json).toMatchObject({ billed: "0.000000" });
  });

  it("can be steered over HTTP: POST /__simulator/config and GET /__simulator/ledger", async () => {
    sim = await withSimulator({ balanceUsd: "0" });
    expect((await createRun(sim, "openai/gpt-image-2", HIGH)).status).toBe(402);
    const config = await fetch(`${sim.url}/__simulator/config`, { method: "POST", body: JSON.stringify({ balance_usd: "1.5", error_rate: 0 }) });
    expect(config.status).toBe(200);
    expect((await createRun(sim, "openai/gpt-image-2", HIGH)).status).toBe(201);
    const bad = await fetch(`${sim.url}/__simulator/config`, { method: "POST", body: JSON.stringify({ failRate: 3, nonsense: true }) });
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as { message: string }).message).toMatch(/failRate.*nonsense|nonsense.*failRate/s);
    await sleep(20);
    const ledger = (await (await fetch(`${sim.url}/__simulator/ledger`)).json()) as Record<string, unknown>;
    expect(ledger).toMatchObject({ runsCreated: 1, createRequests: 2, billedMicros: 133_000, billedUsd: "0.133000" });
  });

  it("rejects invalid options with a message naming them", async () => {
    await expect(withSimulator({ failRate: 2 })).rejects.toThrow(/failRate/);
    await expect(withSimulator({ balanceUsd: "-1" })).rejects.toThrow(/balanceUsd/);
  });
});
