import { describe, expect, it } from "vitest";
import { costSummaryJson, createCostAccumulator } from "./totals.js";

function sample() {
  const accumulator = createCostAccumulator();
  accumulator.add({
    model: "runflow/tag-removal",
    quality: null,
    images: 1,
    estimatedMicros: 140_000,
    status: "succeeded",
    actualMicros: 140_000,
  });
  accumulator.add({
    model: "openai/gpt-image-2",
    quality: "high",
    images: 2,
    estimatedMicros: 266_000,
    status: "succeeded",
    actualMicros: 266_000,
  });
  accumulator.add({
    model: "openai/gpt-image-2",
    quality: "low",
    images: 4,
    estimatedMicros: 36_000,
    status: "failed",
    actualMicros: null,
  });
  accumulator.add({
    model: "openai/gpt-image-2",
    quality: "medium",
    images: 1,
    estimatedMicros: 34_000,
    status: "pending",
  });
  accumulator.add({
    model: "openai/gpt-image-2",
    quality: "high",
    images: 1,
    estimatedMicros: 133_000,
    status: "succeeded",
    actualMicros: 219_000,
  });
  return accumulator.summary();
}

describe("cost totals", () => {
  it("count rows, outcomes, images and money per tier, sorted by model then low < medium < high", () => {
    const summary = sample();
    expect(summary).toMatchObject({
      rows: 5,
      succeeded: 3,
      failed: 1,
      images: 9,
      estimatedMicros: 609_000,
      actualMicros: 625_000,
    });
    expect(
      summary.byTier.map((tier) => [
        tier.model,
        tier.quality,
        tier.rows,
        tier.images,
        tier.estimatedMicros,
        tier.actualMicros,
      ]),
    ).toEqual([
      ["openai/gpt-image-2", "low", 1, 4, 36_000, 0],
      ["openai/gpt-image-2", "medium", 1, 1, 34_000, 0],
      ["openai/gpt-image-2", "high", 2, 3, 399_000, 485_000],
      ["runflow/tag-removal", null, 1, 1, 140_000, 140_000],
    ]);
  });

  it("print the cost report's JSON shape, with actual figures", () => {
    expect(costSummaryJson(sample(), { includeActual: true })).toEqual({
      totals: { rows: 5, succeeded: 3, failed: 1, images: 9, estimated_usd: "0.609", actual_usd: "0.625" },
      by_tier: [
        {
          model: "openai/gpt-image-2",
          quality: "low",
          rows: 1,
          images: 4,
          estimated_usd: "0.036",
          actual_usd: "0.000",
        },
        {
          model: "openai/gpt-image-2",
          quality: "medium",
          rows: 1,
          images: 1,
          estimated_usd: "0.034",
          actual_usd: "0.000",
        },
        {
          model: "openai/gpt-image-2",
          quality: "high",
          rows: 2,
          images: 3,
          estimated_usd: "0.399",
          actual_usd: "0.485",
        },
        {
          model: "runflow/tag-removal",
          quality: null,
          rows: 1,
          images: 1,
          estimated_usd: "0.140",
          actual_usd: "0.140",
        },
      ],
    });
  });

  it("leave actual_usd, succeeded and failed out for an estimate", () => {
    const json = costSummaryJson(sample(), { includeActual: false });
    expect(json.totals).toEqual({ rows: 5, images: 9, estimated_usd: "0.609" });
    expect(Object.keys(json.by_tier[0] ?? {})).toEqual([
      "model",
      "quality",
      "rows",
      "images",
      "estimated_usd",
    ]);
  });

  it("an empty summary is all zeros", () => {
    expect(costSummaryJson(createCostAccumulator().summary(), { includeActual: false })).toEqual({
      totals: { rows: 0, images: 0, estimated_usd: "0.000" },
      by_tier: [],
    });
  });
});
