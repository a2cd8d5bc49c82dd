import { describe, expect, it } from "vitest";
import { MODEL_IDS, QUALITIES, type ModelId, type Quality } from "../core/models.js";
import { createCostAccumulator } from "./totals.js";
import { priceRow } from "./price-row.js";
import { BUILT_IN_PRICES, UnknownPriceError, type PriceTable } from "./table.js";
import { costAtEachTier } from "./what-if.js";

const TIER = { low: 9_000, medium: 34_000, high: 133_000 } as const;

describe("priceRow with the built-in prices", () => {
  it.each(["openai/gpt-image-2", "openai/gpt-image-2/edit", "openai/gpt-image-1.5"] as const)(
    "%s: tier price × images, every tier, 1–4 images",
    (model) => {
      for (const quality of QUALITIES) {
        for (const images of [1, 2, 3, 4])
          expect(priceRow(BUILT_IN_PRICES, { model, quality, images })).toBe(TIER[quality] * images);
      }
    },
  );
  it("per-request models: one price per row whatever the image count", () => {
    expect(priceRow(BUILT_IN_PRICES, { model: "runflow/tag-removal", quality: null, images: 1 })).toBe(
      140_000,
    );
    expect(priceRow(BUILT_IN_PRICES, { model: "runflow/product-isolation", quality: null, images: 1 })).toBe(
      270_000,
    );
  });
  it("a missing model or tier is an error, never zero", () => {
    const partial: PriceTable = {
      source: "test.json",
      models: { "openai/gpt-image-2": { unit: "image", tiers: { high: 1 } } },
      assumptions: [],
    };
    expect(() => priceRow(partial, { model: "openai/gpt-image-2", quality: "low", images: 1 })).toThrow(
      UnknownPriceError,
    );
    expect(() => priceRow(partial, { model: "runflow/tag-removal", quality: null, images: 1 })).toThrow(
      "no price for runflow/tag-removal in the price table (test.json)",
    );
  });
});

describe("exact sums over many rows", () => {
  it("100,000 mixed rows add up to the hand-computed total, to the micro-dollar", () => {
    const accumulator = createCostAccumulator();
    const counts = new Map<string, { rows: number; images: number }>();
    for (let i = 0; i < 100_000; i++) {
      const model = MODEL_IDS[i % MODEL_IDS.length] as ModelId;
      const perImage = model.startsWith("openai/");
      const quality: Quality | null = perImage ? (QUALITIES[i % 3] as Quality) : null;
      const images = perImage ? (i % 4) + 1 : 1;
      accumulator.add({
        model,
        quality,
        images,
        estimatedMicros: priceRow(BUILT_IN_PRICES, { model, quality, images }),
      });
      const key = `${model} ${quality}`;
      const entry = counts.get(key) ?? { rows: 0, images: 0 };
      entry.rows += 1;
      entry.images += images;
      counts.set(key, entry);
    }
    // By hand: 20,000 rows per model. Per-request: 20,000 × $0.14 + 20,000 × $0.27 = $8,200.
    // Per-image: each (model, tier) has its images summed; price × images, all integers.
    let expected = 20_000 * 140_000 + 20_000 * 270_000;
    for (const [key, { images }] of counts) {
      const quality = key.split(" ")[1] as string;
      if (quality !== "null") expected += TIER[quality as Quality] * images;
    }
    const summary = accumulator.summary();
    expect(summary.rows).toBe(100_000);
    expect(summary.estimatedMicros).toBe(expected);
    // 60,000 per-image rows; i % 4 cycles evenly so images average 2.5 → 150,000 images, split by tier.
    expect(summary.images).toBe(150_000 + 40_000);
    expect(summary.byTier.reduce((sum, tier) => sum + tier.estimatedMicros, 0)).toBe(summary.estimatedMicros);
  });

  it("0.1 + 0.2 style drift cannot happen: a million $0.009 images are exactly $9,000", () => {
    const accumulator = createCostAccumulator();
    for (let i = 0; i < 1_000_000; i++)
      accumulator.add({
        model: "openai/gpt-image-2",
        quality: "low",
        images: 1,
        estimatedMicros: priceRow(BUILT_IN_PRICES, {
          model: "openai/gpt-image-2",
          quality: "low",
          images: 1,
        }),
      });
    expect(accumulator.summary().estimatedMicros).toBe(9_000_000_000);
  });
});

describe("costAtEachTier", () => {
  it("re-prices per-image rows at each tier and keeps per-request rows", () => {
    const accumulator = createCostAccumulator();
    accumulator.add({ model: "openai/gpt-image-2", quality: "high", images: 3, estimatedMicros: 399_000 });
    accumulator.add({ model: "openai/gpt-image-1.5", quality: "low", images: 2, estimatedMicros: 18_000 });
    accumulator.add({ model: "runflow/tag-removal", quality: null, images: 1, estimatedMicros: 140_000 });
    expect(costAtEachTier(accumulator.summary(), BUILT_IN_PRICES)).toEqual([
      { quality: "low", micros: 5 * 9_000 + 140_000, missing: null },
      { quality: "medium", micros: 5 * 34_000 + 140_000, missing: null },
      { quality: "high", micros: 5 * 133_000 + 140_000, missing: null },
    ]);
  });
  it("says which price is missing instead of guessing", () => {
    const table: PriceTable = {
      ...BUILT_IN_PRICES,
      models: {
        ...BUILT_IN_PRICES.models,
        "openai/gpt-image-1.5": { unit: "image", tiers: { high: 133_000 } },
      },
    };
    const accumulator = createCostAccumulator();
    accumulator.add({ model: "openai/gpt-image-1.5", quality: "high", images: 1, estimatedMicros: 133_000 });
    expect(costAtEachTier(accumulator.summary(), table)[0]).toEqual({
      quality: "low",
      micros: null,
      missing: "no low price for openai/gpt-image-1.5",
    });
  });
});
