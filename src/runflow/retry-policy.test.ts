import { describe, expect, it } from "vitest";
import { backoffDelay } from "../core/backoff.js";
import { DownloadError, RunflowApiError, type DownloadFailure } from "./errors.js";
import {
  BACKOFF,
  bullmqBackoff,
  isNetworkError,
  isRetryableStatus,
  outputsGone,
  retryWaitMs,
} from "./retry-policy.js";

const api = (status: number, code: string | null = null) =>
  new RunflowApiError(
    { method: "GET", path: "/v1/runs/r1" },
    { status, code, serverMessage: null, errors: [], retryAfterMs: null },
  );
const download = (failure: DownloadFailure, status: number | null = null) =>
  new DownloadError(
    "x",
    { method: "GET", path: "https://cdn/o.png" },
    { failure, runId: "r", index: 0, status },
  );

describe("retry policy: what is worth another try", () => {
  it("retries 408, 429 and every 5xx, and nothing else", () => {
    const retried = [408, 429, 500, 502, 503, 504, 599];
    const final = [200, 400, 401, 402, 403, 404, 409, 410, 413, 422, 451];
    expect(retried.filter(isRetryableStatus)).toEqual(retried);
    expect(final.filter(isRetryableStatus)).toEqual([]);
  });

  it("knows a network error by its code, also one level down in its cause", () => {
    const reset = Object.assign(new Error("socket hang up"), { code: "ECONNRESET" });
    expect(isNetworkError(reset)).toBe(true);
    expect(isNetworkError(new Error("fetch failed", { cause: reset }))).toBe(true);
    expect(isNetworkError(Object.assign(new Error("x"), { code: "UND_ERR_CONNECT_TIMEOUT" }))).toBe(true);
    // A file system error is this machine's, never the network's.
    expect(isNetworkError(Object.assign(new Error("no space"), { code: "ENOSPC", path: "/o" }))).toBe(false);
    expect(isNetworkError(new Error("Connection is closed."))).toBe(false);
  });
});

describe("retry policy: are a run's outputs gone?", () => {
  it("yes when refused again after re-reading the run, when the run has no such output, or is unknown", () => {
    expect(outputsGone(download("expired", 403))).toBe(true);
    expect(outputsGone(download("no-url", 404))).toBe(true);
    expect(outputsGone(api(404))).toBe(true);
  });

  it("no for a passing fault: the network, a 5xx, a 429, a local write error, Runflow unreachable", () => {
    for (const error of [
      download("network"),
      download("truncated", 200),
      download("http", 503),
      download("http", 429),
      download("filesystem"),
      api(503),
      api(429),
      api(401),
    ])
      expect(outputsGone(error), error.message).toBe(false);
  });
});

describe("retry policy: how long to wait", () => {
  it("doubles from the first wait up to the cap; random 1 is the ceiling, 0 its lowest jittered share", () => {
    const curve = { firstMs: 1_000, maxMs: 30_000, jitter: 0.5 };
    expect([1, 2, 3, 4, 5, 6, 10].map((n) => backoffDelay(n, curve, () => 1))).toEqual([
      1_000, 2_000, 4_000, 8_000, 16_000, 30_000, 30_000,
    ]);
    expect([1, 2, 3].map((n) => backoffDelay(n, curve, () => 0))).toEqual([500, 1_000, 2_000]);
    expect(backoffDelay(3, curve, () => 0.5)).toBe(3_000);
  });

  it("draws every wait within its jittered range, so clients that failed together spread out", () => {
    const curve = BACKOFF.row(2_000);
    const waits = Array.from({ length: 200 }, () => backoffDelay(3, curve));
    expect(Math.min(...waits)).toBeGreaterThanOrEqual(4_000);
    expect(Math.max(...waits)).toBeLessThanOrEqual(8_000);
    expect(new Set(waits).size).toBeGreaterThan(1);
  });

  it("takes Runflow's Retry-After over the backoff", () => {
    expect(retryWaitMs(7_000, 1, BACKOFF.rateLimited, () => 1)).toBe(7_000);
    expect(retryWaitMs(null, 2, BACKOFF.rateLimited, () => 1)).toBe(2_000);
  });

  it("without jitter, waits exactly the doubling (a curve may ask for none)", () => {
    expect([1, 2, 3].map((n) => backoffDelay(n, { firstMs: 100, jitter: 0 }))).toEqual([100, 200, 400]);
  });
});

describe("retry policy: BullMQ jobs", () => {
  it("waits the policy's backoff from the job's own first delay, else the default", () => {
    const strategy = bullmqBackoff(BACKOFF.row, 2_000, () => 1);
    const job = { opts: { backoff: { delay: 300 } } };
    expect([1, 2, 3].map((n) => strategy(n, "retry-policy", undefined, job))).toEqual([300, 600, 1_200]);
    expect(strategy(2, "retry-policy", undefined, { opts: {} })).toBe(4_000);
  });
});
