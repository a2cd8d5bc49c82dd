import { describe, expect, it } from "vitest";
import type { BatchRecord } from "../ledger/batch-record.js";
import { BUILT_IN_PRICES } from "../pricing/table.js";
import { batchStatus, renderStatus } from "./status-view.js";

const record: BatchRecord = {
  id: "b-1",
  submission: {
    manifest: { path: "/m.csv", sha256: "0" }, rows: 100, invalidRows: 0, prices: BUILT_IN_PRICES, out: "/out", binding: { endpoint: "http://sim", account: "acct-test" }, createdAt: "2026-11-22T10:00:00.000Z",
    estimate: { micros: 900_000, totals: { rows: 100, images: 100, estimated_usd: "0.900" }, by_tier: [{ model: "openai/gpt-image-2", quality: "low", rows: 100, images: 100, estimated_usd: "0.900" }] },
  },
  capMicros: 500_000, state: "running", succeeded: 30, failed: 10, images: 30, spentMicros: 270_000, reservedMicros: 45_000, doneEstimateMicros: 360_000,
  budgetBlocked: false, held: 5, inFlight: 5, startedAt: "2026-11-22T10:00:00.000Z",
  notifyUrl: null, cancelRequestedAt: null, stopReason: null, endedAt: null, endReason: null, reportedAt: null,
};

describe("status view", () => {
  it("splits rows by state and reports money per tier from the counters", () => {
    const status = batchStatus(record, { "openai/gpt-image-2|low|succeeded": 30, "openai/gpt-image-2|low|failed": 10, "openai/gpt-image-2|low|actual": 270_000, "openai/gpt-image-2|low|reserved": 45_000, "openai/gpt-image-2|low|images": 30 }, new Date("2026-11-22T10:04:00.000Z"));
    expect(status.rows).toEqual({ total: 100, pending: 50, in_flight: 5, succeeded: 30, failed: 10, held_by_budget: 5 });
    expect(status.money).toEqual({ estimated_usd: "0.900", spent_usd: "0.270", reserved_usd: "0.045", cap_usd: "0.500" });
    expect(status.by_tier).toEqual([{ model: "openai/gpt-image-2", quality: "low", rows: 100, succeeded: 30, failed: 10, images: 30, estimated_usd: "0.900", spent_usd: "0.270", reserved_usd: "0.045" }]);
    expect(status.rows_per_minute).toBe(10); // 40 rows in 4 minutes
    expect(status.eta_seconds).toBe(360); // 60 rows left at 10 a minute
    expect(renderStatus(status)).toMatch(/100 total · 30 succeeded · 10 failed · 5 in flight · 50 pending · 5 held by budget/);
  });

  it("gives no pace or ETA before anything finished", () => {
    const status = batchStatus({ ...record, succeeded: 0, failed: 0, startedAt: "" }, {}, new Date());
    expect(status.rows_per_minute).toBeNull();
    expect(status.eta_seconds).toBeNull();
  });
});
