import { createHmac, timingSafeEqual } from "node:crypto";
import { createServer, type IncomingHttpHeaders, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import { signCallbackBody, type Simulator } from "../../src/simulator/index.js";
import { eventually } from "../helpers/eventually.js";
import type { ManualClock } from "../helpers/manual-clock.js";
import { createRun, withClockedSimulator } from "../helpers/simulator-http.js";

interface Received {
  /** The simulated time when it arrived. */
  at: number;
  headers: IncomingHttpHeaders;
  raw: Buffer;
}

const servers: Server[] = [];
afterEach(async () => {
  for (const server of servers.splice(0)) {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  }
});

/**
 * A callback receiver that answers `answers` in turn (a status, or "hang": never answer), then
 * 200, recording raw bodies and the simulated time of arrival. Closed after the test.
 */
async function receiver(
  clock: ManualClock,
  answers: Array<number | "hang"> = [],
): Promise<{ url: string; got: Received[] }> {
  const got: Received[] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      got.push({ at: clock.now(), headers: req.headers, raw: Buffer.concat(chunks) });
      const answer = answers.shift() ?? 200;
      if (answer === "hang") return;
      res.statusCode = answer;
      res.end();
    });
  });
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/hooks/runflow`, got };
}

/** How a receiver verifies: HMAC over the raw bytes, constant-time compare. */
function verify(secret: string, raw: Buffer, signature: string | undefined): boolean {
  const expected = Buffer.from(createHmac("sha256", secret).update(raw).digest("hex"));
  const given = Buffer.from(signature ?? "");
  return given.length === expected.length && timingSafeEqual(expected, given);
}

const callbacks = (sim: Simulator) => sim.ledger().callbacks;

/** Waits until the simulator has counted `n` failed attempts (the retry is then scheduled). */
const failedAttempts = (sim: Simulator, n: number) =>
  eventually(() => callbacks(sim).failedAttempts === n, { what: `${n} failed callback attempt(s)` });

describe("callback signature", () => {
  it("matches independently computed HMAC-SHA256 test vectors", () => {
    // printf '%s' '{"event":"run.completed","run_id":"0190c4d2-1f2e-7a3b-8c4d-5e6f7a8b9c0d","status":"succeeded"}' \
    //   | openssl dgst -sha256 -hmac 'whsec_test_secret_123'
    const body =
      '{"event":"run.completed","run_id":"0190c4d2-1f2e-7a3b-8c4d-5e6f7a8b9c0d","status":"succeeded"}';
    expect(signCallbackBody("whsec_test_secret_123", Buffer.from(body))).toBe(
      "0fb51a07fea6108c673262911ec9bf32b649eaa3aed8e8fee3bda26a8b36ad0e",
    );
    // printf '%s' 'hello' | openssl dgst -sha256 -hmac 'whsec_é✓'   (key = the secret's UTF-8 bytes)
    expect(signCallbackBody("whsec_é✓", "hello")).toBe(
      "44fb075ecc3ed0501ed81e2cf7bc52d95ae6b08af5f4344fcf365e231288a9ce",
    );
  });
});

describe("callbacks", () => {
  it("POSTs the documented payload at terminal time, signed over the raw body, without anyone polling", async () => {
    const { sim, clock } = await withClockedSimulator({ latencyMs: 120, callbackSecret: "whsec_abc123" });
    const r = await receiver(clock);
    const body = { input: { prompt: "x", num_images: 2 }, callback_url: r.url, metadata: { row: "7" } };
    const created = await createRun(sim, "openai/gpt-image-2", body);
    const createdAt = clock.now();
    // Nothing is sent before the run ends; the sweep sends it at its end, with no request made.
    clock.advance(119);
    expect(clock.pending()).toEqual([1]);
    clock.advance(1);
    const [delivery] = await eventually(() => r.got.length > 0 && r.got, { what: "the callback" });
    expect(delivery!.at).toBe(createdAt + 120);
    const payload = JSON.parse(delivery!.raw.toString("utf8")) as Record<string, unknown>;
    expect(payload).toMatchObject({
      event: "run.completed",
      run_id: created.json.id,
      status: "succeeded",
      cost: "0.266000",
      duration_ms: 120,
      metadata: { row: "7" },
    });
    expect(payload.created_at).toBe("2026-05-06T10:00:00.000+00:00");
    expect(payload.completed_at).toBe("2026-05-06T10:00:00.120+00:00");
    expect((payload.output as { outputs: unknown[] }).outputs).toHaveLength(2);
    expect(delivery!.headers["content-type"]).toBe("application/json");
    expect(delivery!.headers["runflow-request-id"]).toMatch(/^[0-9a-f-]{36}$/);
    expect(delivery!.headers["runflow-signature"]).toMatch(/^[0-9a-f]{64}$/);
    expect(verify("whsec_abc123", delivery!.raw, delivery!.headers["runflow-signature"] as string)).toBe(
      true,
    );
    expect(verify("whsec_other", delivery!.raw, delivery!.headers["runflow-signature"] as string)).toBe(
      false,
    );
    // Delivered once: once nothing is pending, exactly one POST arrived.
    await eventually(() => callbacks(sim).pending === 0, { what: "the delivery to finish" });
    expect(callbacks(sim)).toMatchObject({ delivered: 1, failedAttempts: 0, abandoned: 0 });
    expect(r.got).toHaveLength(1);
  });

  it("sends run.failed for a failed run, and no signature without a secret", async () => {
    const { sim, clock } = await withClockedSimulator({ failRate: 1 });
    const r = await receiver(clock);
    await createRun(sim, "openai/gpt-image-2", { input: { prompt: "x" }, callback_url: r.url });
    clock.advance(0); // latency 0: the sweep is due at once
    const [delivery] = await eventually(() => r.got.length > 0 && r.got, { what: "the callback" });
    const payload = JSON.parse(delivery!.raw.toString("utf8")) as Record<string, unknown>;
    expect(payload).toMatchObject({
      event: "run.failed",
      status: "failed",
      output: null,
      cost: "0.000000",
      failure_code: expect.any(String),
    });
    expect(delivery!.headers["runflow-signature"]).toBeUndefined();
    expect(delivery!.headers["runflow-request-id"]).toBeDefined();
  });

  it("retries a failing receiver after 1, 2, 4 and 8 s with the same body and request id", async () => {
    const { sim, clock } = await withClockedSimulator({ callbackSecret: "whsec_retry" });
    const r = await receiver(clock, [500, 503, 404, 500]);
    await createRun(sim, "openai/gpt-image-2", { input: { prompt: "x" }, callback_url: r.url });
    const start = clock.now();
    clock.advance(0);
    for (const [n, delayMs] of [
      [1, 1000],
      [2, 2000],
      [3, 4000],
      [4, 8000],
    ] as const) {
      await failedAttempts(sim, n);
      expect(r.got).toHaveLength(n);
      expect(clock.pending()).toEqual([delayMs]);
      clock.advance(delayMs - 1);
      expect(clock.pending()).toEqual([1]);
      clock.advance(1);
    }
    await eventually(() => callbacks(sim).delivered === 1, { what: "the fifth attempt to be delivered" });
    expect(r.got.map((g) => g.at - start)).toEqual([0, 1000, 3000, 7000, 15_000]);
    expect(new Set(r.got.map((g) => g.raw.toString())).size).toBe(1);
    expect(new Set(r.got.map((g) => g.headers["runflow-request-id"])).size).toBe(1);
    const signed = (g: Received) => verify("whsec_retry", g.raw, g.headers["runflow-signature"] as string);
    expect(r.got.every(signed)).toBe(true);
    expect(callbacks(sim)).toMatchObject({ delivered: 1, failedAttempts: 4, abandoned: 0, pending: 0 });
    expect(clock.pending()).toEqual([]);
  });

  it("gives up after 5 attempts, and counts connection errors as failures", async () => {
    const { sim, clock } = await withClockedSimulator({ callbackRetryBaseMs: 20 });
    await createRun(sim, "openai/gpt-image-2", {
      input: { prompt: "x" },
      callback_url: "http://127.0.0.1:9/closed",
    });
    clock.advance(0);
    for (const [n, delayMs] of [
      [1, 20],
      [2, 40],
      [3, 80],
      [4, 160],
    ] as const) {
      await failedAttempts(sim, n);
      expect(clock.pending()).toEqual([delayMs]);
      clock.advance(delayMs);
    }
    await eventually(() => callbacks(sim).abandoned === 1, { what: "the callback to be abandoned" });
    expect(callbacks(sim)).toMatchObject({ delivered: 0, failedAttempts: 5, abandoned: 1, pending: 0 });
    expect(clock.pending()).toEqual([]);
  });

  it("retries a receiver that does not answer within callbackTimeoutMs", async () => {
    const { sim, clock } = await withClockedSimulator({ callbackTimeoutMs: 5000, callbackRetryBaseMs: 250 });
    const r = await receiver(clock, ["hang"]);
    await createRun(sim, "openai/gpt-image-2", { input: { prompt: "x" }, callback_url: r.url });
    clock.advance(0);
    await eventually(() => r.got.length === 1, { what: "the first attempt to arrive" });
    expect(clock.pending()).toEqual([5000]); // the attempt's timeout
    clock.advance(4999);
    expect(callbacks(sim)).toMatchObject({ failedAttempts: 0, pending: 1 });
    clock.advance(1);
    await failedAttempts(sim, 1);
    expect(clock.pending()).toEqual([250]);
    clock.advance(250);
    await eventually(() => callbacks(sim).delivered === 1, { what: "the retry to be delivered" });
    expect(r.got).toHaveLength(2);
    expect(callbacks(sim)).toMatchObject({ delivered: 1, failedAttempts: 1, abandoned: 0, pending: 0 });
  });
});
