import { describe, expect, it } from "vitest";
import type { Simulator } from "../../src/simulator/index.js";
import { createRun, getRun, PROMPT, sleep, waitFor, withSimulator } from "./helpers.js";

let sim: Simulator | undefined;

describe("lifecycle", () => {
  it("moves queued → dispatching → running → succeeded with the configured latency, then carries cost and output", async () => {
    sim = await withSimulator({ latencyMs: 300 });
    const created = await createRun(sim, "openai/gpt-image-2", { input: { prompt: "x", quality: "high", num_images: 3 } });
    const id = created.json.id as string;
    const order = ["queued", "dispatching", "running", "succeeded"];
    const seen: string[] = [created.json.status_code as string];
    let last = created.json;
    while (!["succeeded", "failed"].includes(last.status_code as string)) {
      last = (await getRun(sim, id)).json;
      if (seen.at(-1) !== last.status_code) seen.push(last.status_code as string);
      if (last.status_code !== "succeeded") expect(last.cost).toBeNull();
      if (last.status_code === "queued" || last.status_code === "dispatching") expect(last.started_at).toBeNull();
      await sleep(5);
    }
    // Never backwards; queued lasts 30 ms, dispatching 45 ms, running 225 ms.
    expect(seen).toEqual(order);
    expect(last.cost).toBe("0.399000");
    expect(last.duration_ms).toBe(300);
    expect(last.completed_at).toMatch(/\+00:00$/);
    const output = last.output as { outputs: Array<Record<string, unknown>>; image_urls: string[]; seed: number; nsfw_detected: boolean };
    expect(output.outputs).toHaveLength(3);
    expect(output.image_urls).toEqual(output.outputs.map((o) => o.url));
    expect(output.outputs[0]).toMatchObject({ type: "image", content_type: "image/png", width: 1024, height: 768 });
    expect(output.nsfw_detected).toBe(false);
    expect(typeof output.seed).toBe("number");
  });

  it("bills runs that end even when nobody reads them, and holds their price until then", async () => {
    sim = await withSimulator({ latencyMs: 150, balanceUsd: "10" });
    for (let i = 0; i < 4; i++) expect((await createRun(sim, "openai/gpt-image-2", { input: { prompt: "x", quality: "low" } })).status).toBe(201);
    expect((await createRun(sim, "runflow/tag-removal", { input: { image_url: "https://img.test/a.png" } })).status).toBe(201);
    const before = sim.ledger();
    expect(before).toMatchObject({ runsCreated: 5, billedMicros: 0, inFlight: 5, reservedMicros: 4 * 9_000 + 140_000 });
    await sleep(200); // no GET of any run in between; the sweep settles them
    const after = sim.ledger();
    expect(after).toMatchObject({ billedMicros: 176_000, billedUsd: "0.176000", inFlight: 0, reservedMicros: 0 });
    expect(after.runs.every((r) => r.status === "succeeded")).toBe(true);
    const balance = await (await fetch(`${sim.url}/v1/billing/balance`, { headers: { authorization: "Bearer rf_x" } })).json();
    expect(balance).toMatchObject({ balance: "9.824000", billed: "0.176000" });
  });

  it("fails runs at the fail rate with failure fields, cost 0 and nothing billed", async () => {
    sim = await withSimulator({ latencyMs: 0, failRate: 1 });
    const id = (await createRun(sim, "openai/gpt-image-2", PROMPT)).json.id as string;
    const run = await waitFor(async () => {
      const json = (await getRun(sim!, id)).json;
      return json.status_code === "failed" ? json : undefined;
    });
    expect(run).toMatchObject({ output: null, cost: "0.000000", failure_code: expect.any(String), failure_message: expect.any(String), failure_stage_code: expect.any(String) });
    expect(sim.ledger()).toMatchObject({ billedMicros: 0, runsCreated: 1 });
    expect(sim.ledger().runs[0]).toMatchObject({ status: "failed", costMicros: 0 });
  });

  it("reproduces the same outcomes from the same seed", async () => {
    const outcomes = async () => {
      const s = await withSimulator({ seed: 7, failRate: 0.5, latencyMs: 0 });
      for (let i = 0; i < 20; i++) await createRun(s, "openai/gpt-image-2", PROMPT);
      await sleep(20);
      const statuses = s.ledger().runs.map((r) => r.status);
      await s.close();
      return statuses;
    };
    const first = await outcomes();
    expect(first).toEqual(await outcomes());
    expect(first).toContain("failed");
    expect(first).toContain("succeeded");
  });

  it("prices per request for per-request models and produces one image", async () => {
    sim = await withSimulator();
    const id = (await createRun(sim, "runflow/product-isolation", { input: { image_url: "https://img.test/a.png", aspect_ratio: "16:9", resolution: "2K" } })).json.id as string;
    const run = await waitFor(async () => {
      const json = (await getRun(sim!, id)).json;
      return json.status_code === "succeeded" ? json : undefined;
    });
    expect(run.cost).toBe("0.270000");
    const outputs = (run.output as { outputs: Array<{ width: number; height: number }> }).outputs;
    expect(outputs).toHaveLength(1);
    expect(outputs[0]).toMatchObject({ width: 2048, height: 1152 });
  });
});
