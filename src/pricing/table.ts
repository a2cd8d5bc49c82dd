/**
 * The one price table. Built-in defaults come from docs/runflow-api.md (dated); `--prices FILE`
 * replaces entries (see prices-file.ts). A model or tier without a price is an error, never
 * zero. Pure.
 */
import { z } from "zod";
import { MODEL_IDS, MODELS, QUALITIES, type ModelId, type Quality } from "../core/models.js";
import { UsageError } from "../core/errors.js";
import type { Micros } from "../core/money.js";

const micros = z.number().int().nonnegative();

/** What one model costs: per image by tier, or per request. */
const modelPriceSchema = z.discriminatedUnion("unit", [
  z
    .object({ unit: z.literal("image"), tiers: z.partialRecord(z.enum(QUALITIES), micros).readonly() })
    .readonly(),
  z.object({ unit: z.literal("request"), price: micros }).readonly(),
]);
export type ModelPrice = z.infer<typeof modelPriceSchema>;

/** A price table, as built in, read from `--prices FILE` and stored with each batch. */
export const priceTableSchema = z
  .object({
    /** "built-in 2026-04-21" or the prices file's path. */
    source: z.string(),
    models: z.partialRecord(z.enum(MODEL_IDS), modelPriceSchema).readonly(),
    /** Prices that are assumptions rather than published figures; reports repeat these. */
    assumptions: z.array(z.string()).readonly(),
  })
  .readonly();
export type PriceTable = z.infer<typeof priceTableSchema>;

const BUILT_IN_PRICES_DATE = "2026-04-21";

const GPT_IMAGE_2_TIERS = { low: 9_000, medium: 34_000, high: 133_000 } as const;

export const BUILT_IN_PRICES: PriceTable = {
  source: `built-in ${BUILT_IN_PRICES_DATE}`,
  models: {
    "openai/gpt-image-2": { unit: "image", tiers: GPT_IMAGE_2_TIERS },
    "openai/gpt-image-2/edit": { unit: "image", tiers: GPT_IMAGE_2_TIERS },
    "openai/gpt-image-1.5": { unit: "image", tiers: GPT_IMAGE_2_TIERS },
    "runflow/tag-removal": { unit: "request", price: 140_000 },
    "runflow/product-isolation": { unit: "request", price: 270_000 },
  },
  assumptions: [
    "openai/gpt-image-1.5 low and medium prices are not published; gpt-image-2's tiers ($0.009, $0.034) are assumed.",
  ],
};

/** A model or tier the price table has no price for (exit 2 should it reach the command line). */
export class UnknownPriceError extends UsageError {
  constructor(
    readonly model: string,
    readonly quality: Quality | null,
    readonly source: string,
  ) {
    super(
      `no price for ${model}${quality ? ` at quality ${quality}` : ""} in the price table (${source}); ` +
        `add it to a prices file and pass --prices FILE`,
    );
  }
}

/** What one run of `model` costs when it produces `images` images at `quality`. */
export function priceOf(table: PriceTable, model: ModelId, quality: Quality | null, images: number): Micros {
  const entry = table.models[model];
  if (!entry) throw new UnknownPriceError(model, quality, table.source);
  if (entry.unit === "request") return entry.price;
  const tier = quality ?? MODELS[model].defaultQuality;
  const unit = tier ? entry.tiers[tier] : undefined;
  if (unit === undefined) throw new UnknownPriceError(model, tier, table.source);
  return unit * images;
}
