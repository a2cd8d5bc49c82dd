import { compactDuration } from "../../core/duration.js";
import { describe, expect, it } from "vitest";
import type { BatchRecord } from "../../ledger/batch-record.js";
import { BUILT_IN_PRICES } from "../../pricing/table.js";
import { progressLine, rowsPerMinute } from "./progress-view.js";

const record = (over: Partial<BatchRecord> = {}): BatchRecord => ({
  id: "b-1",
  submission: {
    manifest: { path: "/m.csv", sha256: "0" },
    metadataKeys: [],
    feed: { window: 1_000, retry: { attempts: 5, backoffMs: 2_000 } },
    rows: 100,
    invalidRows: 0,
    prices: BUILT_IN_PRICES,
    out: "/out",
    binding: { endpoint: "http://sim", account: "acct-test" },
    createdAt: "",
    estimate: { micros: 0, totals: { rows: 100, images: 100, estimated_usd: "0.000" }, by_tier: [] },
  },
  capMicros: null,
  state: "running",
  succeeded: 0,
  failed: 0,
  images: 0,
  spentMicros: 0,
  reservedMicros: 0,
  doneEstimateMicros: 0,
  budgetBlocked: false,
  held: 0,
  fed: 0,
  inFlight: 4,
  startedAt: "",
  notifyUrl: null,
  cancelRequestedAt: null,
  stopReason: null,
  endedAt: null,
  endReason: null,
  reportedAt: null,
  ...over,
});

describe("progress line", () => {
  it("always shows the failed count and the elapsed time, and the pace once rows finish", () => {
    const start = 1_000_000;
    expect(progressLine(record(), 100, start, start + 5_000)).toMatch(
      /0\/100 rows · 0 failed · 4 in flight · 0 images · \$0\.000 · 5s elapsed$/,
    );
    const line = progressLine(
      record({ succeeded: 27, failed: 3, images: 27, spentMicros: 243_000 }),
      100,
      start,
      start + 120_000,
    );
    expect(line).toContain("30/100 rows · 3 failed");
    expect(line).toContain("2m00s elapsed · 15 rows/min · ETA 4m40s");
  });

  it("counts the pace from what this run finished, not rows a resumed batch already had", () => {
    const line = progressLine(record({ succeeded: 60 }), 100, 0, 60_000, 50);
    expect(line).toContain("10 rows/min · ETA 4m00s");
  });

  it("says the cap was reached instead of an ETA", () => {
    expect(progressLine(record({ succeeded: 10, budgetBlocked: true }), 100, 0, 60_000)).toMatch(
      /budget cap reached · 1m00s elapsed · 10 rows\/min$/,
    );
  });

  it("formats durations and pace", () => {
    expect(compactDuration(42_400)).toBe("42s");
    expect(compactDuration(3_725_000)).toBe("1h02m");
    expect(rowsPerMinute(0, 0, 60_000)).toBeNull();
    expect(rowsPerMinute(5, 0, 500)).toBeNull();
    expect(rowsPerMinute(7, 0, 180_000)).toBe(2.3);
  });
});
