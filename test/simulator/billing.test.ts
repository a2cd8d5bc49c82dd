import { describe, expect, it } from "vitest";
import { createRun, getJson, withClockedSimulator, withSimulator } from "../helpers/simulator-http.js";

const HIGH = { input: { prompt: "x", quality: "high" } }; // $0.133
const LOW = { input: { prompt: "x", quality: "low" } }; // $0.009

describe("balance and 402", () => {
  it("refuses a run its remaining credit cannot cover, counting runs in flight, and accepts again after configure() tops up", async () => {
    const { sim, clock } = await withClockedSimulator({ balanceUsd: "0.300000", latencyMs: 100 });
    expect((await createRun(sim, "openai/gpt-image-2", HIGH)).status).toBe(201);
    expect((await createRun(sim, "openai/gpt-image-2", HIGH)).status).toBe(201);
    expect((await getJson(sim, "/v1/billing/balance")).json).toMatchObject({
      balance: "0.034000",
      reserved: "0.266000",
    });
    const refused = await createRun(sim, "openai/gpt-image-2", HIGH);
    expect(refused.status).toBe(402);
    expect(refused.json).toMatchObject({ code: "INSUFFICIENT_CREDIT", errors: null });
    expect(refused.json.message).toContain("0.133000");
    // A cheaper run still fits.
    expect((await createRun(sim, "openai/gpt-image-2", LOW)).status).toBe(201);
    clock.advance(100);
    const settled = { balance: "0.025000", billed: "0.275000", reserved: "0.000000" };
    expect((await getJson(sim, "/v1/billing/balance")).json).toMatchObject(settled);
    sim.configure({ balanceUsd: "5" });
    expect((await createRun(sim, "openai/gpt-image-2", HIGH)).status).toBe(201);
    expect(sim.ledger().runsCreated).toBe(4);
  });

  it("releases the reservation of a failed run", async () => {
    const { sim, clock } = await withClockedSimulator({ balanceUsd: "0.133", failRate: 1, latencyMs: 30 });
    expect((await createRun(sim, "openai/gpt-image-2", HIGH)).status).toBe(201);
    // The first run holds the whole credit until its last millisecond...
    clock.advance(29);
    expect((await createRun(sim, "openai/gpt-image-2", HIGH)).status).toBe(402);
    // ...and gives it back, unbilled, when it fails.
    clock.advance(1);
    expect((await createRun(sim, "openai/gpt-image-2", HIGH)).status).toBe(201);
    const balance = (await getJson(sim, "/v1/billing/balance")).json;
    expect(balance).toMatchObject({ billed: "0.000000", reserved: "0.133000" });
    expect(sim.ledger()).toMatchObject({ runsCreated: 2, createRequests: 3, billedMicros: 0 });
  });

  it("can be steered over HTTP: POST /__simulator/config and GET /__simulator/ledger", async () => {
    const sim = await withSimulator({ balanceUsd: "0" });
    expect((await createRun(sim, "openai/gpt-image-2", HIGH)).status).toBe(402);
    const changes = JSON.stringify({ balance_usd: "1.5", error_rate: 0 });
    const config = await fetch(`${sim.url}/__simulator/config`, { method: "POST", body: changes });
    expect(config.status).toBe(200);
    expect((await createRun(sim, "openai/gpt-image-2", HIGH)).status).toBe(201);
    const badBody = JSON.stringify({ failRate: 3, nonsense: true });
    const bad = await fetch(`${sim.url}/__simulator/config`, { method: "POST", body: badBody });
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as { message: string }).message).toMatch(
      /failRate.*nonsense|nonsense.*failRate/s,
    );
    for (const fixed of ["port", "clock"]) {
      const body = JSON.stringify({ [fixed]: 1 });
      const refused = await fetch(`${sim.url}/__simulator/config`, { method: "POST", body });
      expect(refused.status).toBe(400);
      const { message } = (await refused.json()) as { message: string };
      expect(message).toContain(`${fixed} cannot be changed over HTTP`);
    }
    // Latency 0: the run has ended (and is billed) by the time the ledger is read.
    const ledger = (await (await fetch(`${sim.url}/__simulator/ledger`)).json()) as Record<string, unknown>;
    expect(ledger).toMatchObject({
      runsCreated: 1,
      createRequests: 2,
      billedMicros: 133_000,
      billedUsd: "0.133000",
    });
  });

  it("rejects invalid options with a message naming them", async () => {
    await expect(withSimulator({ failRate: 2 })).rejects.toThrow(/failRate/);
    await expect(withSimulator({ balanceUsd: "-1" })).rejects.toThrow(/balanceUsd/);
  });
});
