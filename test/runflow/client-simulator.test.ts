/**
 * The client against the real simulator over HTTP: lifecycle, idempotency, every error class and
 * its classification, downloads of each format, URL expiry and refresh, truncation. The simulator
 * runs on a manual clock: runs end, URLs expire and rate limits refill only when a test moves it.
 */
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { createRunflowClient } from "../../src/runflow/client.js";
import { classifyError, DownloadError, RunflowApiError } from "../../src/runflow/errors.js";
import { startSimulator, type Simulator } from "../../src/simulator/index.js";
import type { Run, RunflowClient } from "../../src/runflow/types.js";
import { memoryLogger, rejection, tempDir } from "../helpers/local-servers.js";
import { manualClock } from "../helpers/manual-clock.js";

const KEY = "rf_test_client_sim_key";
let sim: Simulator;
let client: RunflowClient;
let dir: Awaited<ReturnType<typeof tempDir>>;
const log = memoryLogger();
const clock = manualClock();

beforeAll(async () => {
  sim = await startSimulator({ port: 0, apiKeys: [KEY], latencyMs: 0, seed: 7, clock });
  client = createRunflowClient({ baseUrl: sim.url, apiKey: KEY, logger: log.logger });
  dir = await tempDir();
});
afterAll(async () => {
  await client.close();
  await sim.close();
  await dir.remove();
});
afterEach(() => {
  sim.configure({
    latencyMs: 0,
    failRate: 0,
    errorRate: 0,
    rateLimit: null,
    retryAfter: false,
    balanceUsd: null,
    urlTtlSeconds: 3600,
    truncateRate: 0,
  });
});

let keyCounter = 0;
const newKey = () => `test-${process.pid}-${++keyCounter}`;

/** Reads the run once its latency (at most `latencyMs`) has passed on the simulator's clock. */
async function waitTerminal(id: string, latencyMs = 0): Promise<Run> {
  clock.advance(latencyMs);
  const run = await client.getRun(id);
  expect(run.terminal, `run ${id} ended after ${latencyMs} ms`).toBe(true);
  return run;
}

describe("runs", () => {
  it("creates a run and reads it to success, with cost and one URL per image", async () => {
    sim.configure({ latencyMs: 150 });
    const created = await client.createRun({
      model: "openai/gpt-image-2",
      input: { prompt: "a chair", quality: "high", num_images: 2 },
      idempotencyKey: newKey(),
      metadata: { sku: "A1" },
      clientRef: "row-1",
    });
    expect(created).toMatchObject({ status: "queued", terminal: false, outputUrls: [], costMicros: null });
    clock.advance(149);
    expect(await client.getRun(created.id)).toMatchObject({ terminal: false, outputUrls: [] });
    const done = await waitTerminal(created.id, 1);
    expect(done).toMatchObject({
      id: created.id,
      status: "succeeded",
      terminal: true,
      costMicros: 266_000,
      failureCode: null,
    });
    expect(done.outputUrls).toHaveLength(2);
  });

  it("a failed run carries its failure and costs nothing", async () => {
    sim.configure({ failRate: 1 });
    const created = await client.createRun({
      model: "openai/gpt-image-2",
      input: { prompt: "x", quality: "low" },
      idempotencyKey: newKey(),
    });
    const done = await waitTerminal(created.id);
    expect(done.status).toBe("failed");
    expect(done.failureCode).toEqual(expect.any(String));
    expect(done.costMicros === null || done.costMicros === 0).toBe(true);
    expect(done.outputUrls).toEqual([]);
  });

  it("replays a create with the same Idempotency-Key: one run, billed once; another body → 409, permanent", async () => {
    const request = {
      model: "openai/gpt-image-2",
      input: { prompt: "same", quality: "medium" },
      idempotencyKey: newKey(),
      clientRef: `replay-${keyCounter}`,
    };
    const first = await client.createRun(request);
    const second = await client.createRun(request);
    expect(second.id).toBe(first.id);
    await waitTerminal(first.id);
    const ledger = sim.ledger();
    expect(ledger.byIdempotencyKey[request.idempotencyKey]).toEqual({
      posts: 2,
      runId: first.id,
      runIds: [first.id],
    });
    expect(ledger.byClientRef[request.clientRef]).toEqual([first.id]);
    expect(ledger.runs.filter((run) => run.idempotencyKey === request.idempotencyKey)).toHaveLength(1);

    const err = await rejection(client.createRun({ ...request, input: { prompt: "different" } }));
    expect(err).toMatchObject({ status: 409, code: "CONFLICT" });
    expect(classifyError(err).kind).toBe("permanent");
  });

  it("reads the balance in micros", async () => {
    sim.configure({ balanceUsd: "12.450000" });
    expect(await client.getBalance()).toEqual({
      balanceMicros: 12_450_000,
      lowBalanceThresholdMicros: 1_000_000,
    });
  });

  it("holds a thousand creates in flight through a pool of 8 sockets", async () => {
    const small = createRunflowClient({ baseUrl: sim.url, apiKey: KEY, connections: 8 });
    try {
      const runs = await Promise.all(
        Array.from({ length: 1000 }, (_, i) =>
          small.createRun({
            model: "openai/gpt-image-2",
            input: { prompt: `p${i}`, quality: "low" },
            idempotencyKey: `bulk-${process.pid}-${i}`,
          }),
        ),
      );
      expect(new Set(runs.map((run) => run.id)).size).toBe(1000);
    } finally {
      await small.close();
    }
  });
});

describe("errors and their classification", () => {
  it("401 with a wrong key → configuration, pointing at RUNFLOW_API_KEY", async () => {
    const wrong = createRunflowClient({ baseUrl: sim.url, apiKey: "rf_test_wrong" });
    try {
      const err = await rejection(wrong.getRun("whatever"));
      expect(err).toBeInstanceOf(RunflowApiError);
      expect(err).toMatchObject({ status: 401, code: "UNAUTHORIZED", exitCode: 4 });
      expect(err.message).toContain("GET /v1/runs/whatever");
      expect(err.message).toContain("RUNFLOW_API_KEY");
      expect(classifyError(err).kind).toBe("configuration");
    } finally {
      await wrong.close();
    }
  });

  it("422 invalid input → permanent, with the errors[] detail", async () => {
    const err = await rejection(
      client.createRun({
        model: "openai/gpt-image-2",
        input: { prompt: "x", quality: "ultra" },
        idempotencyKey: newKey(),
      }),
    );
    expect(err).toMatchObject({ status: 422, code: "VALIDATION_ERROR" });
    expect((err as RunflowApiError).errors.join("\n")).toContain("input.quality");
    const decision = classifyError(err);
    expect(decision.kind).toBe("permanent");
    expect(decision.kind === "permanent" && decision.reason).toMatch(/input\.quality.*low, medium, high/);
  });

  it("404 unknown run and unknown model → permanent", async () => {
    const run = await rejection(client.getRun("00000000-0000-7000-8000-000000000000"));
    expect(run).toMatchObject({ status: 404, code: "RUN_NOT_FOUND" });
    expect(classifyError(run).kind).toBe("permanent");
    const model = await rejection(
      client.createRun({ model: "openai/dall-e-9", input: { prompt: "x" }, idempotencyKey: newKey() }),
    );
    expect(model).toMatchObject({ status: 404 });
    expect(model.message).toContain("model name");
    expect(classifyError(model).kind).toBe("permanent");
  });

  it("402 when the balance cannot cover the run → out-of-credit", async () => {
    sim.configure({ balanceUsd: "0.01" });
    const err = await rejection(
      client.createRun({
        model: "openai/gpt-image-2",
        input: { prompt: "x", quality: "high" },
        idempotencyKey: newKey(),
      }),
    );
    expect(err).toMatchObject({ status: 402, code: "INSUFFICIENT_CREDIT" });
    expect(classifyError(err).kind).toBe("out-of-credit");
  });

  it.each([
    [true, "with"],
    [false, "without"],
  ])("429 %s Retry-After → rate-limited", async (retryAfter) => {
    sim.configure({ rateLimit: 1, retryAfter });
    const results = await Promise.allSettled(Array.from({ length: 6 }, () => client.getBalance()));
    const refused = results.flatMap((result) =>
      result.status === "rejected" ? [result.reason as unknown] : [],
    );
    expect(refused.length).toBe(5); // the clock stands still: one request a second, never refilled
    for (const err of refused) {
      expect(err).toMatchObject({ status: 429, code: "RATE_LIMITED" });
      const decision = classifyError(err);
      expect(decision.kind).toBe("rate-limited");
      if (decision.kind !== "rate-limited") continue;
      if (retryAfter) expect(decision.retryAfterMs).toBeGreaterThanOrEqual(1000);
      else expect(decision.retryAfterMs).toBeNull();
    }
  });

  it("5xx → retry", async () => {
    sim.configure({ errorRate: 1 });
    const err = await rejection(client.getRun("anything"));
    expect(err).toBeInstanceOf(RunflowApiError);
    expect((err as RunflowApiError).status).toBeGreaterThanOrEqual(500);
    expect(["MODEL_UNAVAILABLE", "INTERNAL_ERROR"]).toContain((err as RunflowApiError).code);
    expect(classifyError(err).kind).toBe("retry");
  });
});

describe("redaction against the simulator", () => {
  it("a refused key appears in no error and no log line", async () => {
    const leaky = "rf_live_SIMLEAK_4c1d9e";
    const captured = memoryLogger();
    const wrong = createRunflowClient({ baseUrl: sim.url, apiKey: leaky, logger: captured.logger });
    try {
      const errors = await Promise.all([
        rejection(wrong.getRun("x")),
        rejection(wrong.getBalance()),
        rejection(
          wrong.createRun({ model: "openai/gpt-image-2", input: { prompt: "x" }, idempotencyKey: newKey() }),
        ),
      ]);
      for (const err of errors) {
        captured.logger.error({ err }, "Runflow request failed");
        expect(
          JSON.stringify({ message: err.message, stack: err.stack, err, cause: err.cause }),
        ).not.toContain("SIMLEAK");
      }
      expect(captured.text()).toContain("Runflow answered");
      expect(captured.text()).not.toContain("SIMLEAK");
    } finally {
      await wrong.close();
    }
  });
});

describe("downloads", () => {
  async function succeeded(input: Record<string, unknown>, model = "openai/gpt-image-2"): Promise<Run> {
    const created = await client.createRun({ model, input, idempotencyKey: newKey() });
    return waitTerminal(created.id);
  }

  it.each([
    ["png", "png", "image/png", "89504e47"],
    ["jpeg", "jpg", "image/jpeg", "ffd8ff"],
    ["webp", "webp", "image/webp", "52494646"],
  ])("output_format %s → .%s with the served bytes", async (format, ext, contentType, magic) => {
    const run = await succeeded({ prompt: "x", quality: "low", output_format: format, num_images: 2 });
    const paths: string[] = [];
    for (const [index, url] of run.outputUrls.entries()) {
      const download = await client.downloadOutput({
        runId: run.id,
        index,
        url,
        destBase: join(dir.path, format, `row-${index + 1}`),
      });
      expect(download.path).toBe(join(dir.path, format, `row-${index + 1}.${ext}`));
      expect(download.contentType).toBe(contentType);
      const bytes = await readFile(download.path);
      expect(bytes.length).toBe(download.bytes);
      expect(bytes.subarray(0, magic.length / 2).toString("hex")).toBe(magic);
      paths.push(download.path);
    }
    const [a, b] = await Promise.all(paths.map((path) => readFile(path)));
    expect(a?.equals(b ?? Buffer.alloc(0))).toBe(false); // each output is its own image
  });

  it("an expired URL is refreshed by re-reading the run", async () => {
    sim.configure({ urlTtlSeconds: 1 });
    const run = await succeeded({ prompt: "x", quality: "low" });
    const url = run.outputUrls[0] ?? "";
    expect((await fetch(url)).status).toBe(200);
    // Valid at least the TTL (1 s); expiry is rounded up to the next whole second, so gone 2 s after.
    clock.advance(999);
    expect((await fetch(url)).status).toBe(200);
    clock.advance(1_001);
    expect((await fetch(url)).status).toBe(403);
    const before = log.lines.length;
    const download = await client.downloadOutput({
      runId: run.id,
      index: 0,
      url,
      destBase: join(dir.path, "expired", "row"),
    });
    expect(download.path).toBe(join(dir.path, "expired", "row.png"));
    expect(log.lines.slice(before).join("")).toContain("re-reading the run");
  });

  it("a truncated download is an error, retried, and leaves no file", async () => {
    const run = await succeeded({ prompt: "x", quality: "low" });
    sim.configure({ truncateRate: 1 });
    const target = await tempDir();
    try {
      const err = await rejection(
        client.downloadOutput({
          runId: run.id,
          index: 0,
          url: run.outputUrls[0] ?? "",
          destBase: join(target.path, "row"),
        }),
      );
      expect(err).toBeInstanceOf(DownloadError);
      expect((err as DownloadError).failure).toBe("truncated");
      expect(classifyError(err).kind).toBe("retry");
      expect(await target.files()).toEqual([]);
    } finally {
      await target.remove();
    }
  });
});
