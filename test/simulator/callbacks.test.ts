import { createHmac, timingSafeEqual } from "node:crypto";
import { createServer, type IncomingHttpHeaders, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import { signCallbackBody, type Simulator } from "../../src/simulator/index.js";
import { createRun, sleep, waitFor, withSimulator } from "./helpers.js";

interface Received {
  at: number;
  headers: IncomingHttpHeaders;
  raw: Buffer;
}

/** A callback receiver that answers `statuses` in turn (then 200), recording raw bodies. */
async function receiver(statuses: number[] = []): Promise<{ url: string; got: Received[]; server: Server }> {
  const got: Received[] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      got.push({ at: Date.now(), headers: req.headers, raw: Buffer.concat(chunks) });
      res.statusCode = statuses.shift() ?? 200;
      res.end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/hooks/runflow`, got, server };
}

/** How a receiver verifies: HMAC over the raw bytes, constant-time compare. */
function verify(secret: string, raw: Buffer, signature: string | undefined): boolean {
  const expected = Buffer.from(createHmac("sha256", secret).update(raw).digest("hex"));
  const given = Buffer.from(signature ?? "");
  return given.length === expected.length && timingSafeEqual(expected, given);
}

let sim: Simulator | undefined;
let hook: Server | undefined;
afterEach(async () => {
  await sim?.close();
  hook?.closeAllConnections();
  await new Promise((r) => (hook ? hook.close(r) : r(undefined)));
  sim = undefined;
  hook = undefined;
});

describe("callback signature", () => {
  it("matches independently computed HMAC-SHA256 test vectors", () => {
    // printf '%s' '{"event":"run.completed","run_id":"0190c4d2-1f2e-7a3b-8c4d-5e6f7a8b9c0d","status":"succeeded"}' \
    //   | openssl dgst -sha256 -hmac 'whsec_test_secret_123'
    const body = '{"event":"run.completed","run_id":"0190c4d2-1f2e-7a3b-8c4d-5e6f7a8b9c0d","status":"succeeded"}';
    expect(signCallbackBody("whsec_test_secret_123", Buffer.from(body))).toBe("0fb51a07fea6108c673262911ec9bf32b649eaa3aed8e8fee3bda26a8b36ad0e");
    // printf '%s' 'hello' | openssl dgst -sha256 -hmac 'whsec_é✓'   (key = the secret's UTF-8 bytes)
    expect(signCallbackBody("whsec_é✓", "hello")).toBe("44fb075ecc3ed0501ed81e2cf7bc52d95ae6b08af5f4344fcf365e231288a9ce");
  });
});

describe("callbacks", () => {
  it("POSTs the documented payload at terminal time, signed over the raw body, without anyone polling", async () => {
    const r = await receiver();
    hook = r.server;
    sim = await withSimulator({ latencyMs: 120, callbackSecret: "whsec_abc123" });
    const created = await createRun(sim, "openai/gpt-image-2", { input: { prompt: "x", num_images: 2 }, callback_url: r.url, metadata: { row: "7" } });
    const [delivery] = await waitFor(() => (r.got.length > 0 ? r.got : undefined));
    const payload = JSON.parse(delivery!.raw.toString("utf8")) as Record<string, unknown>;
    expect(payload).toMatchObject({ event: "run.completed", run_id: created.json.id, status: "succeeded", duration_ms: 120, metadata: { row: "7" } });
    expect(payload.created_at).toMatch(/\+00:00$/);
    expect(payload.completed_at).toMatch(/\+00:00$/);
    expect((payload.output as { outputs: unknown[] }).outputs).toHaveLength(2);
    expect(delivery!.headers["content-type"]).toBe("application/json");
    expect(delivery!.headers["runflow-request-id"]).toMatch(/^[0-9a-f-]{36}$/);
    expect(delivery!.headers["runflow-signature"]).toMatch(/^[0-9a-f]{64}$/);
    expect(verify("whsec_abc123", delivery!.raw, delivery!.headers["runflow-signature"] as string)).toBe(true);
    expect(verify("whsec_other", delivery!.raw, delivery!.headers["runflow-signature"] as string)).toBe(false);
    await sleep(50);
    expect(r.got).toHaveLength(1);
    expect(sim.ledger().callbacks).toMatchObject({ delivered: 1, failedAttempts: 0 });
  });

  it("sends run.failed for a failed run, and no signature without a secret", async () => {
    const r = await receiver();
    hook = r.server;
    sim = await withSimulator({ failRate: 1 });
    await createRun(sim, "openai/gpt-image-2", { input: { prompt: "x" }, callback_url: r.url });
    const [delivery] = await waitFor(() => (r.got.length > 0 ? r.got : undefined));
    const payload = JSON.parse(delivery!.raw.toString("utf8")) as Record<string, unknown>;
    expect(payload).toMatchObject({ event: "run.failed", status: "failed", output: null, failure_code: expect.any(String) });
    expect(delivery!.headers["runflow-signature"]).toBeUndefined();
    expect(delivery!.headers["runflow-request-id"]).toBeDefined();
  });

  it("retries a failing receiver with backoff base × 1, 2, 4 — same body, same request id", async () => {
    const r = await receiver([500, 503, 404]);
    hook = r.server;
    sim = await withSimulator({ callbackRetryBaseMs: 60, callbackSecret: "whsec_retry" });
    await createRun(sim, "openai/gpt-image-2", { input: { prompt: "x" }, callback_url: r.url });
    const got = await waitFor(() => (r.got.length >= 4 ? r.got : undefined));
    const gaps = got.slice(1).map((g, i) => g.at - (got[i] as Received).at);
    expect(gaps[0]).toBeGreaterThanOrEqual(55);
    expect(gaps[1]).toBeGreaterThanOrEqual(115);
    expect(gaps[2]).toBeGreaterThanOrEqual(235);
    expect(new Set(got.map((g) => g.raw.toString())).size).toBe(1);
    expect(new Set(got.map((g) => g.headers["runflow-request-id"])).size).toBe(1);
    expect(got.every((g) => verify("whsec_retry", g.raw, g.headers["runflow-signature"] as string))).toBe(true);
    await sleep(100);
    expect(sim.ledger().callbacks).toMatchObject({ delivered: 1, failedAttempts: 3, abandoned: 0 });
  });

  it("gives up after 5 attempts, and counts connection errors as failures", async () => {
    sim = await withSimulator({ callbackRetryBaseMs: 20 });
    await createRun(sim, "openai/gpt-image-2", { input: { prompt: "x" }, callback_url: "http://127.0.0.1:9/closed" });
    await waitFor(() => (sim!.ledger().callbacks.abandoned === 1 ? true : undefined));
    expect(sim.ledger().callbacks).toMatchObject({ delivered: 0, failedAttempts: 5, abandoned: 1, pending: 0 });
  });
});
