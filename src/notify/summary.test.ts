import { describe, expect, it } from "vitest";
import { notificationBody, type BatchEndFacts } from "./summary.js";

const facts: BatchEndFacts = {
  batch: "b-1",
  state: "failed-rows",
  reason: null,
  rows: { total: 10, succeeded: 8, failed: 2, notDone: 0 },
  images: 9,
  estimatedMicros: 340_000,
  actualMicros: 272_000,
  capMicros: null,
  startedAt: "2026-11-20T18:00:00.000Z",
  endedAt: "2026-11-20T18:02:30.000Z",
  outDir: "/data/night",
  reports: ["/data/night/results.jsonl", "/data/night/cost-report.json", "/data/night/report.html"],
};

describe("notification body", () => {
  it("says the batch, its state, rows by state, images, money, duration and report paths", () => {
    expect(notificationBody(facts)).toEqual({
      event: "batch.ended",
      batch: "b-1",
      state: "failed-rows",
      reason: null,
      rows: { total: 10, succeeded: 8, failed: 2, canceled: 0, not_done: 0 },
      images: 9,
      cost: { estimated_usd: "0.340", actual_usd: "0.272", cap_usd: null },
      started_at: "2026-11-20T18:00:00.000Z",
      ended_at: "2026-11-20T18:02:30.000Z",
      duration_seconds: 150,
      out_dir: "/data/night",
      reports: {
        results_jsonl: "/data/night/results.jsonl",
        cost_report_json: "/data/night/cost-report.json",
        html: "/data/night/report.html",
      },
    });
  });

  it("counts the rows a canceled batch never ran as canceled", () => {
    const body = notificationBody({
      ...facts,
      state: "canceled",
      reason: "canceled",
      rows: { total: 10, succeeded: 3, failed: 0, notDone: 7 },
      startedAt: null,
    });
    expect(body.rows).toEqual({ total: 10, succeeded: 3, failed: 0, canceled: 7, not_done: 0 });
    expect(body.duration_seconds).toBeNull();
  });
});
