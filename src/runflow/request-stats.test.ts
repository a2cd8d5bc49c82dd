import { describe, expect, it } from "vitest";
import { bucketFor, createStatsCounter } from "./request-stats.js";
import { RunflowApiError } from "./errors.js";

describe("request stats counter", () => {
  it("puts latencies in the first bucket that holds them, the rest in inf", () => {
    expect(bucketFor(0)).toBe("bucket_25");
    expect(bucketFor(25)).toBe("bucket_25");
    expect(bucketFor(26)).toBe("bucket_50");
    expect(bucketFor(30_001)).toBe("bucket_inf");
  });

  it("counts requests, sums and buckets, and keeps counts a failed flush put back", () => {
    const counter = createStatsCounter();
    counter.observe("poll", 40, undefined);
    counter.observe("poll", 300, new Error("socket hang up"));
    const taken = counter.take();
    expect(taken).toEqual({
      "poll|requests": 2,
      "poll|count": 2,
      "poll|sum_ms": 340,
      "poll|bucket_50": 1,
      "poll|bucket_500": 1,
      "poll|errors": 1,
    });
    expect(counter.take()).toEqual({});
    counter.restore(taken);
    counter.observe("poll", 1, undefined);
    expect(counter.take()["poll|requests"]).toBe(3);
  });

  it("tells 429s from other errors", () => {
    const counter = createStatsCounter();
    const request = { method: "POST", path: "/v1/models/openai/gpt-image-2/runs" };
    const fields = {
      status: 429,
      code: "RATE_LIMITED",
      serverMessage: "slow down",
      errors: [],
      retryAfterMs: null,
    };
    counter.observe("create", 5, new RunflowApiError(request, fields));
    expect(counter.take()).toMatchObject({ "create|rate_limited": 1 });
  });
});
