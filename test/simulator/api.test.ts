import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Simulator } from "../../src/simulator/index.js";
import {
  createRun,
  getJson,
  getRun,
  KEY,
  PROMPT,
  sharedSimulator,
  withSimulator,
} from "../helpers/simulator-http.js";

let sim: Simulator;
beforeAll(async () => {
  sim = await sharedSimulator();
});
afterAll(() => sim.close());

describe("auth", () => {
  it("answers 401 UNAUTHORIZED in the flat envelope without a key, with a non-rf_ key, and with a malformed header", async () => {
    for (const key of [null, "sk_live_nope", ""]) {
      const res = await createRun(sim, "openai/gpt-image-2", PROMPT, { key });
      expect(res.status).toBe(401);
      expect(res.json).toEqual({ code: "UNAUTHORIZED", message: expect.any(String), errors: null });
    }
    expect((await getJson(sim, "/v1/billing/balance", null)).status).toBe(401);
    expect(sim.ledger().runsCreated).toBe(0);
  });

  it("accepts only the configured keys when apiKeys is set", async () => {
    const strict = await withSimulator({ apiKeys: ["rf_live_one", "rf_live_two"] });
    try {
      expect((await createRun(strict, "openai/gpt-image-2", PROMPT, { key: "rf_live_two" })).status).toBe(
        201,
      );
      expect((await createRun(strict, "openai/gpt-image-2", PROMPT, { key: KEY })).status).toBe(401);
    } finally {
      await strict.close();
    }
  });

  it("serves /v1/health without a key", async () => {
    const res = await getJson(sim, "/v1/health", null);
    expect(res.status).toBe(200);
    expect(res.json).toEqual({ status: "ok" });
  });
});

describe("create and read", () => {
  it("answers 201 with the full run record, status queued", async () => {
    const res = await createRun(sim, "openai/gpt-image-2", {
      ...PROMPT,
      metadata: { sku: "A1" },
      client_ref: "row-7",
    });
    expect(res.status).toBe(201);
    expect(res.json).toMatchObject({
      status_code: "queued",
      model: "openai/gpt-image-2",
      input: PROMPT.input,
      metadata: { sku: "A1" },
      client_ref: "row-7",
      callback_url: null,
      output: null,
      cost: null,
    });
    expect(res.json.id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(res.json.created_at).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}\+00:00$/);
  });

  it("answers 404 RUN_NOT_FOUND for an unknown run and 404 for an unknown model", async () => {
    const run = await getRun(sim, "0190c4d2-1f2e-7a3b-8c4d-5e6f7a8b9c0d");
    expect(run.status).toBe(404);
    expect(run.json.code).toBe("RUN_NOT_FOUND");
    const model = await createRun(sim, "openai/dall-e-9", PROMPT);
    expect(model.status).toBe(404);
    expect(model.json.code).toBe("MODEL_NOT_FOUND");
  });

  it("answers 422 with errors[] per field, from the shared model input rules", async () => {
    const res = await createRun(sim, "openai/gpt-image-2", {
      input: { prompt: "", quality: "ultra", num_images: 9, colour: "red" },
    });
    expect(res.status).toBe(422);
    expect(res.json.code).toBe("VALIDATION_ERROR");
    const errors = res.json.errors as Array<{ field: string; message: string; found?: unknown }>;
    expect(errors.map((e) => e.field).sort()).toEqual([
      "input.colour",
      "input.num_images",
      "input.prompt",
      "input.quality",
    ]);
    expect(errors.find((e) => e.field === "input.quality")).toMatchObject({
      found: "ultra",
      message: expect.stringContaining("one of low, medium, high"),
    });
    const isolation = await createRun(sim, "runflow/product-isolation", {
      input: { image_url: "http://x.test/a.png", aspect_ratio: "7:3" },
    });
    expect(isolation.status).toBe(422);
    expect((isolation.json.errors as Array<{ field: string }>).map((e) => e.field).sort()).toEqual([
      "input.aspect_ratio",
      "input.image_url",
      "input.resolution",
    ]);
  });

  it("checks the envelope: input object, callback_url, client_ref length, unknown fields", async () => {
    const res = await createRun(sim, "openai/gpt-image-2", {
      ...PROMPT,
      callback_url: "ftp://x",
      client_ref: "x".repeat(256),
      extra: 1,
    });
    expect(res.status).toBe(422);
    expect((res.json.errors as Array<{ field: string }>).map((e) => e.field).sort()).toEqual([
      "callback_url",
      "client_ref",
      "extra",
    ]);
    const noInput = await createRun(sim, "openai/gpt-image-2", { prompt: "x" });
    expect(noInput.status).toBe(422);
  });

  it("answers 400 to a body that is not a JSON object", async () => {
    for (const body of ["{nope", "[1,2]", ""]) {
      const res = await createRun(sim, "openai/gpt-image-2", body);
      expect(res.status).toBe(400);
      expect(res.json).toMatchObject({ code: "BAD_REQUEST", errors: null });
    }
  });

  it("reports the balance as 6-decimal strings", async () => {
    const res = await getJson(sim, "/v1/billing/balance");
    expect(res.status).toBe(200);
    expect(res.json.balance).toMatch(/^\d+\.\d{6}$/);
    expect(res.json.low_balance_threshold).toBe("1.000000");
  });
});
