import { describe, expect, it } from "vitest";
import {
  readBalance,
  readCost,
  readDurationMs,
  readOutputUrls,
  readRun,
  readStatus,
  UnreadableBodyError,
  type ReadWarning,
} from "./read-run.js";

describe("readStatus", () => {
  it.each([
    ["queued", "queued"],
    ["dispatching", "dispatching"],
    ["running", "running"],
    ["succeeded", "succeeded"],
    ["failed", "failed"],
    ["canceled", "canceled"],
    ["cancelled", "canceled"],
    ["CANCELLED", "canceled"],
    [" partial_succeeded ", "partial_succeeded"],
  ] as const)("reads %j as %s", (raw, expected) => {
    expect(readStatus(raw)).toBe(expected);
  });

  it.each([["exploded"], [""], [null], [3]])("returns null for %j", (raw) => {
    expect(readStatus(raw)).toBeNull();
  });
});

describe("readRun", () => {
  const warnings: ReadWarning[] = [];
  const read = (body: unknown) => readRun(body, (warning) => warnings.push(warning));

  it("reads a succeeded run with outputs, cost and no failure", () => {
    const run = read({
      id: "0190-run",
      status_code: "succeeded",
      cost: "0.266000",
      output: {
        outputs: [
          { type: "image", url: "https://cdn/a.png", content_type: "image/png" },
          { type: "image", url: "https://cdn/b.png", content_type: "image/png" },
        ],
        image_urls: ["https://other/a.png"],
      },
      failure_code: null,
      failure_message: null,
    });
    expect(run).toEqual({
      id: "0190-run",
      status: "succeeded",
      terminal: true,
      outputUrls: ["https://cdn/a.png", "https://cdn/b.png"],
      costMicros: 266_000,
      failureCode: null,
      failureMessage: null,
      createdAt: null,
      durationMs: null,
    });
  });

  it("treats both cancelled spellings as the terminal canceled", () => {
    expect(read({ id: "a", status_code: "canceled" })).toMatchObject({ status: "canceled", terminal: true });
    expect(read({ id: "b", status_code: "cancelled" })).toMatchObject({ status: "canceled", terminal: true });
  });

  it.each(["queued", "dispatching", "running"])("%s is not terminal", (status) => {
    expect(read({ id: "a", status_code: status }).terminal).toBe(false);
  });

  it.each(["succeeded", "failed", "partial_succeeded"])("%s is terminal", (status) => {
    expect(read({ id: "a", status_code: status }).terminal).toBe(true);
  });

  it("reads an unknown status as still running and reports it", () => {
    warnings.length = 0;
    expect(read({ id: "a", status_code: "paused_for_review" })).toMatchObject({
      status: "running",
      terminal: false,
    });
    expect(warnings).toEqual([{ kind: "unknown-status", runId: "a", status: "paused_for_review" }]);
  });

  it("falls back to image_urls when outputs is missing or empty", () => {
    expect(
      read({ id: "a", status_code: "succeeded", output: { image_urls: ["https://x/1", "https://x/2"] } })
        .outputUrls,
    ).toEqual(["https://x/1", "https://x/2"]);
    expect(
      read({ id: "a", status_code: "succeeded", output: { outputs: [], image_urls: ["https://x/1"] } })
        .outputUrls,
    ).toEqual(["https://x/1"]);
  });

  it("has no output URLs while the run is not finished", () => {
    expect(read({ id: "a", status_code: "running", output: null }).outputUrls).toEqual([]);
  });

  it("reads failures", () => {
    const run = read({
      id: "a",
      status_code: "failed",
      cost: null,
      failure_code: "PROVIDER_ERROR",
      failure_message: "upstream exploded",
    });
    expect(run).toMatchObject({
      status: "failed",
      terminal: true,
      costMicros: null,
      failureCode: "PROVIDER_ERROR",
      failureMessage: "upstream exploded",
    });
  });

  it("reads cost as a string, tolerates a number, and reports an unreadable one as null", () => {
    expect(read({ id: "a", status_code: "succeeded", cost: "0.133000" }).costMicros).toBe(133_000);
    expect(read({ id: "a", status_code: "succeeded", cost: 0.009 }).costMicros).toBe(9_000);
    expect(read({ id: "a", status_code: "succeeded" }).costMicros).toBeNull();
    warnings.length = 0;
    expect(read({ id: "a", status_code: "succeeded", cost: "lots" }).costMicros).toBeNull();
    expect(warnings).toEqual([{ kind: "unreadable-cost", runId: "a", cost: "lots" }]);
  });

  it("accepts a record wrapped in {run: …}", () => {
    expect(read({ run: { id: "wrapped", status_code: "queued" } }).id).toBe("wrapped");
  });

  it.each([[null], ["text"], [[]], [{ status_code: "queued" }]])("refuses %j: not a run", (body) => {
    expect(() => read(body)).toThrow(UnreadableBodyError);
  });
});

describe("a run's duration", () => {
  const ended = {
    id: "r",
    status_code: "succeeded",
    created_at: "2026-05-06T10:00:00.000+00:00",
    completed_at: "2026-05-06T10:01:42.000+00:00",
  };
  it("is Runflow's duration_ms when it sends one", () => {
    expect(readRun({ ...ended, duration_ms: 102_345 }).durationMs).toBe(102_345);
  });
  it("is completed_at − created_at when duration_ms is null or absent, as the docs allow", () => {
    expect(readRun({ ...ended, duration_ms: null }).durationMs).toBe(102_000);
    expect(readRun(ended).durationMs).toBe(102_000);
    expect(
      readDurationMs({ created_at: "2026-05-06T10:00:00Z", completed_at: "2026-05-06T10:00:05.5Z" }),
    ).toBe(5_500);
  });
  it("is unknown without both timestamps, or with timestamps out of order or unreadable", () => {
    expect(readRun({ ...ended, completed_at: null }).durationMs).toBeNull();
    expect(readRun({ id: "r", status_code: "running", created_at: ended.created_at }).durationMs).toBeNull();
    expect(readDurationMs({ created_at: ended.completed_at, completed_at: ended.created_at })).toBeNull();
    expect(readDurationMs({ created_at: "yesterday", completed_at: ended.completed_at })).toBeNull();
  });
});

describe("readOutputUrls / readCost", () => {
  it("skips entries without a usable url", () => {
    expect(
      readOutputUrls({ outputs: [{ url: "" }, { type: "image" }, { url: "https://ok" }, "junk"] }),
    ).toEqual(["https://ok"]);
    expect(readOutputUrls({ images: [{ url: "https://img" }] })).toEqual(["https://img"]);
    expect(readOutputUrls("nope")).toEqual([]);
  });

  it("parses decimal strings exactly", () => {
    expect(readCost("0.000001")).toBe(1);
    expect(readCost("12.450000")).toBe(12_450_000);
    expect(readCost(null)).toBeNull();
    expect(readCost("-1")).toBeUndefined();
  });
});

describe("readBalance", () => {
  it("reads balance and threshold as micros", () => {
    expect(readBalance({ balance: "12.450000", low_balance_threshold: "1.000000", currency: "USD" })).toEqual(
      {
        balanceMicros: 12_450_000,
        lowBalanceThresholdMicros: 1_000_000,
      },
    );
    expect(readBalance({ balance: "3" })).toEqual({
      balanceMicros: 3_000_000,
      lowBalanceThresholdMicros: null,
    });
  });

  it("refuses a balance it cannot read", () => {
    expect(() => readBalance({ balance: null })).toThrow(UnreadableBodyError);
    expect(() => readBalance("12")).toThrow(UnreadableBodyError);
  });
});
