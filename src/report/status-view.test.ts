import { describe, expect, it } from "vitest";
import type { BatchRecord } from "../ledger/batch-record.js";
import { BUILT_IN_PRICES } from "../pricing/table.js";
import { batchStatus, renderBatchTable, renderStatus } from "./status-view.js";
import { waitingFor, type WaitFacts } from "./waiting-for.js";

const record: BatchRecord = {
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
    createdAt: "2026-11-22T10:00:00.000Z",
    estimate: {
      micros: 900_000,
      totals: { rows: 100, images: 100, estimated_usd: "0.900" },
      by_tier: [
        { model: "openai/gpt-image-2", quality: "low", rows: 100, images: 100, estimated_usd: "0.900" },
      ],
    },
  },
  capMicros: 500_000,
  state: "running",
  succeeded: 30,
  failed: 10,
  images: 30,
  spentMicros: 270_000,
  reservedMicros: 45_000,
  doneEstimateMicros: 360_000,
  budgetBlocked: false,
  held: 5,
  fed: 0,
  inFlight: 5,
  startedAt: "2026-11-22T10:00:00.000Z",
  notifyUrl: null,
  cancelRequestedAt: null,
  stopReason: null,
  endedAt: null,
  endReason: null,
  reportedAt: null,
};

describe("status view", () => {
  it("splits rows by state and reports money per tier from the counters", () => {
    const status = batchStatus(
      record,
      {
        "openai/gpt-image-2|low|succeeded": 30,
        "openai/gpt-image-2|low|failed": 10,
        "openai/gpt-image-2|low|actual": 270_000,
        "openai/gpt-image-2|low|reserved": 45_000,
        "openai/gpt-image-2|low|images": 30,
      },
      new Date("2026-11-22T10:04:00.000Z"),
    );
    expect(status.rows).toEqual({
      total: 100,
      pending: 50,
      in_flight: 5,
      succeeded: 30,
      failed: 10,
      held_by_budget: 5,
      canceled: 0,
      waiting_for_lock: 0,
    });
    expect(status.money).toEqual({
      estimated_usd: "0.900",
      spent_usd: "0.270",
      reserved_usd: "0.045",
      cap_usd: "0.500",
    });
    expect(status.by_tier).toEqual([
      {
        model: "openai/gpt-image-2",
        quality: "low",
        rows: 100,
        succeeded: 30,
        failed: 10,
        images: 30,
        estimated_usd: "0.900",
        spent_usd: "0.270",
        reserved_usd: "0.045",
      },
    ]);
    expect(status.rows_per_minute).toBe(10); // 40 rows in 4 minutes
    expect(status.eta_seconds).toBe(360); // 60 rows left at 10 a minute
    expect(renderStatus(status)).toMatch(
      /100 total · 30 succeeded · 10 failed · 5 in flight · 50 pending · 5 held by budget/,
    );
    expect(status.elapsed_seconds).toBe(240);
    expect(renderStatus(status)).toMatch(/^elapsed 4m · pace 10 rows\/min · about 6m left$/m);
  });

  it("stops the clock when the batch ended: elapsed and pace to the end, no ETA, canceled rows", () => {
    const ended = {
      ...record,
      state: "canceled" as const,
      endedAt: "2026-11-22T10:02:00.000Z",
      endReason: "canceled with `runflow-batch cancel`",
    };
    const status = batchStatus(ended, {}, new Date("2026-11-22T11:00:00.000Z"));
    expect(status).toMatchObject({
      elapsed_seconds: 120,
      rows_per_minute: 20,
      eta_seconds: null,
      ended_at: ended.endedAt,
    });
    expect(status.rows).toMatchObject({ canceled: 60, pending: 0 });
    expect(renderStatus(status)).toMatch(
      /canceled · created .* · ended 2026-11-22T10:02:00.000Z \(canceled with `runflow-batch cancel`\)/,
    );
    expect(renderStatus(status)).toMatch(/· 60 canceled/);
  });

  it("says what the batch waits for", () => {
    const facts: WaitFacts = { conditions: [], orphaned: 0, liveWorkers: 2, lockDurationMs: 30_000 };
    expect(waitingFor(record, facts)).toEqual([]);
    expect(waitingFor(record, { ...facts, liveWorkers: 0 })).toEqual([
      expect.stringMatching(/^a worker: nothing is working on this batch/),
    ]);
    expect(waitingFor(record, { ...facts, orphaned: 7 })).toEqual([
      "7 rows: waiting for a stopped worker's lock (≤ 30 s), then another worker resumes them",
    ]);
    const credit = {
      kind: "out-of-credit" as const,
      since: "2026-11-22T02:13:00.000Z",
      last: "2026-11-22T02:20:00.000Z",
      reason: "402 INSUFFICIENT_CREDIT",
    };
    expect(waitingFor({ ...record, budgetBlocked: true }, { ...facts, conditions: [credit] })).toEqual([
      "Runflow credit: out of credit since 02:13:00 UTC (402 INSUFFICIENT_CREDIT); " +
        "top up the account (or stop waiting with --give-up-after / cancel)",
      "a higher budget cap ($0.500): `runflow-batch budget b-1 --max-cost USD`",
    ]);
    const status = batchStatus(record, {}, new Date(), {
      waitingFor: waitingFor(record, { ...facts, orphaned: 7 }),
      orphaned: 7,
    });
    expect(renderStatus(status)).toMatch(
      /^waiting for 7 rows: waiting for a stopped worker's lock \(≤ 30 s\)/m,
    );
    expect(
      waitingFor({ ...record, endedAt: "2026-11-22T10:02:00.000Z" }, { ...facts, liveWorkers: 0 }),
    ).toEqual([]);
  });

  it("lists recent batches under a header, in aligned columns, failed apart from succeeded", () => {
    const stdin = {
      ...record.submission,
      out: "/work/out/nightly",
      manifest: { path: "/state/stdin/ab12.csv", sha256: "0", label: "stdin" },
    };
    const table = renderBatchTable(
      [
        record,
        { ...record, id: "b-longer-id-2", succeeded: 100, failed: 0, state: "done", capMicros: null },
        { ...record, id: "b-3", submission: stdin },
      ],
      { cwd: "/work" },
    );
    const [header, first, second, third] = table.trimEnd().split("\n");
    expect(header).toMatch(
      /^BATCH\s+CREATED\s+STATE\s+ROWS\s+SUCCEEDED\s+FAILED\s+SPENT\s+CAP\s+DIRECTORY\s+MANIFEST$/,
    );
    expect(first).toMatch(
      /^b-1\s+2026-11-22 10:00:00 UTC\s+running\s+100\s+30\s+10\s+\$0\.270\s+\$0\.500\s+\/out\s+\/m\.csv$/,
    );
    expect(second).toMatch(/^b-longer-id-2\s+.*done\s+100\s+100\s+0\s+\$0\.270\s+no cap\s+\/out\s+\/m\.csv$/);
    // Under the current directory a path is shown relative to it; a manifest read from stdin says so.
    expect(third).toMatch(/\s+out\/nightly\s+stdin$/);
    expect(first!.indexOf("running")).toBe(header!.indexOf("STATE"));
    expect(first!.indexOf("$0.270") + 6).toBe(header!.indexOf("SPENT") + 5);
    expect(first!.indexOf("/out")).toBe(header!.indexOf("DIRECTORY"));
  });

  it("names each batch's directory and manifest in its status", () => {
    const status = batchStatus(record, {}, new Date());
    expect(status).toMatchObject({ batch: "b-1", out: "/out", manifest: "/m.csv" });
  });

  it("gives no pace or ETA before anything finished", () => {
    const status = batchStatus({ ...record, succeeded: 0, failed: 0, startedAt: "" }, {}, new Date());
    expect(status.rows_per_minute).toBeNull();
    expect(status.eta_seconds).toBeNull();
  });
});
