import { describe, expect, it } from "vitest";
import { createRun, getRun, PROMPT, withClockedSimulator, withSimulator } from "../helpers/simulator-http.js";

const HIGH_3 = { input: { prompt: "x", quality: "high", num_images: 3 } };

describe("lifecycle", () => {
  it("moves queued → dispatching → running → succeeded at 10, 25 and 100 % of the latency", async () => {
    const { sim, clock } = await withClockedSimulator({ latencyMs: 300 });
    const created = await createRun(sim, "openai/gpt-image-2", HIGH_3);
    const queued = { status_code: "queued", cost: null, started_at: null, completed_at: null };
    expect(created.json).toMatchObject(queued);
    const id = created.json.id as string;
    const statusAfter = async (ms: number) => {
      clock.advance(ms);
      return (await getRun(sim, id)).json;
    };
    // Each phase is checked on its last millisecond and on the first of the next one.
    expect(await statusAfter(0)).toMatchObject({ status_code: "queued", started_at: null, cost: null });
    expect(await statusAfter(29)).toMatchObject({ status_code: "queued", started_at: null, cost: null });
    expect(await statusAfter(1)).toMatchObject({ status_code: "dispatching", started_at: null, cost: null });
    expect(await statusAfter(44)).toMatchObject({ status_code: "dispatching", started_at: null, cost: null });
    const running = await statusAfter(1);
    expect(running).toMatchObject({ status_code: "running", cost: null, output: null, completed_at: null });
    expect(Date.parse(running.started_at as string) - Date.parse(created.json.created_at as string)).toBe(75);
    expect(await statusAfter(224)).toMatchObject({ status_code: "running", cost: null, output: null });
    const last = await statusAfter(1);
    expect(last).toMatchObject({ status_code: "succeeded", cost: "0.399000", duration_ms: 300 });
    expect(Date.parse(last.completed_at as string) - Date.parse(created.json.created_at as string)).toBe(300);
    expect(last.completed_at).toMatch(/\+00:00$/);
    const output = last.output as {
      outputs: Array<Record<string, unknown>>;
      image_urls: string[];
      seed: number;
      nsfw_detected: boolean;
    };
    expect(output.outputs).toHaveLength(3);
    expect(output.image_urls).toEqual(output.outputs.map((o) => o.url));
    expect(output.outputs[0]).toMatchObject({
      type: "image",
      content_type: "image/png",
      width: 1024,
      height: 768,
    });
    expect(output.nsfw_detected).toBe(false);
    expect(typeof output.seed).toBe("number");
    // Terminal is terminal.
    expect(await statusAfter(60_000)).toMatchObject({ status_code: "succeeded", cost: "0.399000" });
  });

  it("bills runs that end even when nobody reads them, and holds their price until then", async () => {
    const { sim, clock } = await withClockedSimulator({ latencyMs: 150, balanceUsd: "10" });
    for (let i = 0; i < 4; i++) {
      const low = await createRun(sim, "openai/gpt-image-2", { input: { prompt: "x", quality: "low" } });
      expect(low.status).toBe(201);
    }
    expect(
      (await createRun(sim, "runflow/tag-removal", { input: { image_url: "https://img.test/a.png" } }))
        .status,
    ).toBe(201);
    const held = { runsCreated: 5, billedMicros: 0, inFlight: 5, reservedMicros: 4 * 9_000 + 140_000 };
    expect(sim.ledger()).toMatchObject(held);
    // One sweep timer, armed for the end of the runs: it settles them with no request at all.
    expect(clock.pending()).toEqual([150]);
    clock.advance(149);
    expect(clock.pending()).toEqual([1]);
    expect(sim.ledger()).toMatchObject({ billedMicros: 0, inFlight: 5 });
    clock.advance(1);
    expect(clock.pending()).toEqual([]);
    const after = sim.ledger();
    expect(after).toMatchObject({
      billedMicros: 176_000,
      billedUsd: "0.176000",
      inFlight: 0,
      reservedMicros: 0,
    });
    expect(after.runs.every((r) => r.status === "succeeded")).toBe(true);
    const balance = await (
      await fetch(`${sim.url}/v1/billing/balance`, { headers: { authorization: "Bearer rf_x" } })
    ).json();
    expect(balance).toMatchObject({ balance: "9.824000", billed: "0.176000" });
  });

  it("fails runs at the fail rate with failure fields, cost 0 and nothing billed", async () => {
    const sim = await withSimulator({ latencyMs: 0, failRate: 1 });
    const id = (await createRun(sim, "openai/gpt-image-2", PROMPT)).json.id as string;
    // Latency 0: the run has ended by the time anyone reads it.
    const run = (await getRun(sim, id)).json;
    expect(run).toMatchObject({
      status_code: "failed",
      output: null,
      cost: "0.000000",
      failure_code: expect.any(String),
      failure_message: expect.any(String),
      failure_stage_code: expect.any(String),
    });
    expect(sim.ledger()).toMatchObject({ billedMicros: 0, runsCreated: 1 });
    expect(sim.ledger().runs[0]).toMatchObject({ status: "failed", costMicros: 0 });
  });

  it("reproduces the same outcomes from the same seed", async () => {
    const outcomes = async () => {
      const s = await withSimulator({ seed: 7, failRate: 0.5, latencyMs: 0 });
      for (let i = 0; i < 20; i++) await createRun(s, "openai/gpt-image-2", PROMPT);
      const statuses = s.ledger().runs.map((r) => r.status);
      await s.close();
      return statuses;
    };
    const first = await outcomes();
    expect(first).toHaveLength(20);
    expect(first).toEqual(await outcomes());
    expect(first).toContain("failed");
    expect(first).toContain("succeeded");
  });

  it("prices per request for per-request models and produces one image", async () => {
    const sim = await withSimulator();
    const input = { image_url: "https://img.test/a.png", aspect_ratio: "16:9", resolution: "2K" };
    const id = (await createRun(sim, "runflow/product-isolation", { input })).json.id as string;
    const run = (await getRun(sim, id)).json;
    expect(run).toMatchObject({ status_code: "succeeded", cost: "0.270000" });
    const outputs = (run.output as { outputs: Array<{ width: number; height: number }> }).outputs;
    expect(outputs).toHaveLength(1);
    expect(outputs[0]).toMatchObject({ width: 2048, height: 1152 });
  });
});
