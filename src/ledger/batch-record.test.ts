import { describe, expect, it } from "vitest";
import { BUILT_IN_PRICES } from "../pricing/table.js";
import { batchFields, parseBatchRecord, type NewBatch } from "./batch-record.js";
import { UnreadableBatchError } from "./errors.js";

const batch: NewBatch = {
  id: "b1",
  capMicros: 100_000,
  submission: {
    manifest: { path: "/m.jsonl", sha256: "f00", format: "jsonl", defaults: { model: "openai/gpt-image-2" } },
    feed: { window: 1_000, retry: { attempts: 5, backoffMs: 2_000 } },
    rows: 2,
    invalidRows: 1,
    estimate: {
      micros: 18_000,
      totals: { rows: 2, images: 2, estimated_usd: "0.018" },
      by_tier: [{ model: "openai/gpt-image-2", quality: "low", rows: 2, images: 2, estimated_usd: "0.018" }],
    },
    prices: BUILT_IN_PRICES,
    out: "/out/b1",
    binding: { endpoint: "http://sim", account: "acct-test" },
  },
};
const now = new Date("2026-11-20T08:00:00Z");

describe("batch record", () => {
  it("reads back what it wrote: the submission as typed values, the counters apart", () => {
    const hash = { ...batchFields(batch, now), succeeded: "1", spent_micros: "9000", budget_blocked: "1" };
    expect(parseBatchRecord("b1", hash, 3, 1)).toEqual({
      id: "b1",
      submission: { ...batch.submission, createdAt: "2026-11-20T08:00:00.000Z", metadataKeys: [] },
      state: "submitted",
      startedAt: "",
      capMicros: 100_000,
      succeeded: 1,
      failed: 0,
      images: 0,
      spentMicros: 9_000,
      reservedMicros: 0,
      doneEstimateMicros: 0,
      fed: 0,
      budgetBlocked: true,
      held: 3,
      inFlight: 1,
      notifyUrl: null,
      cancelRequestedAt: null,
      stopReason: null,
      endedAt: null,
      endReason: null,
      reportedAt: null,
    });
  });

  it("reads the lifecycle fields: notify URL, cancel request, end and its reason", () => {
    const hash = {
      ...batchFields(batch, now),
      state: "canceled",
      notify_url: "https://hooks.example.com/b",
      cancel_requested_at: "2026-11-20T09:00:00.000Z",
      ended_at: "2026-11-20T09:01:00.000Z",
      end_reason: "canceled by `runflow-batch cancel`",
    };
    expect(parseBatchRecord("b1", hash, 0, 0)).toMatchObject({
      state: "canceled",
      notifyUrl: "https://hooks.example.com/b",
      cancelRequestedAt: "2026-11-20T09:00:00.000Z",
      endedAt: "2026-11-20T09:01:00.000Z",
      endReason: "canceled by `runflow-batch cancel`",
    });
  });

  it("keeps the Redis layout: plain strings, '' for no cap", () => {
    const fields = batchFields({ ...batch, capMicros: null }, now);
    expect(fields).toMatchObject({
      id: "b1",
      manifest: "/m.jsonl",
      manifest_sha256: "f00",
      rows: "2",
      cap_micros: "",
    });
    expect(JSON.parse(fields.manifest_options!)).toEqual({
      format: "jsonl",
      defaults: { model: "openai/gpt-image-2" },
    });
    expect(parseBatchRecord("b1", fields, 0, 0)!.capMicros).toBeNull();
  });

  it("is null for no batch, and names every field it cannot read", () => {
    expect(parseBatchRecord("b1", {}, 0, 0)).toBeNull();
    const broken = {
      ...batchFields(batch, now),
      rows: "two",
      state: "exploded",
      prices_json: '{"source": 1}',
    };
    const error = (() => {
      try {
        return parseBatchRecord("b1", broken, 0, 0);
      } catch (e) {
        return e;
      }
    })();
    expect(error).toBeInstanceOf(UnreadableBatchError);
    expect((error as UnreadableBatchError).problems.map((p) => p.split(":")[0])).toEqual(
      expect.arrayContaining(["rows", "state", "prices_json.source"]),
    );
  });
});
