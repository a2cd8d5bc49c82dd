/**
 * Cost totals per model × quality tier, shared by `estimate` (estimated only) and the batch
 * cost report (estimated and actual). Integer micro-dollars in, decimal strings out. Pure.
 */
import { z } from "zod";
import { MODEL_IDS, QUALITIES, type ModelId, type Quality } from "../core/models.js";
import { formatUsd, type Micros } from "../core/money.js";

interface CostLine {
  model: ModelId;
  quality: Quality | null;
  images: number;
  estimatedMicros: Micros;
  status?: "succeeded" | "failed" | "pending";
  actualMicros?: Micros | null;
}

interface TierTotals {
  model: ModelId;
  quality: Quality | null;
  rows: number;
  images: number;
  estimatedMicros: Micros;
  actualMicros: Micros;
}

export interface CostSummary {
  rows: number;
  succeeded: number;
  failed: number;
  images: number;
  estimatedMicros: Micros;
  actualMicros: Micros;
  /** Sorted by model (in MODEL_IDS order), then low < medium < high; per-request models have quality null. */
  byTier: TierTotals[];
}

export interface CostAccumulator {
  add(line: CostLine): void;
  /** Money spent outside the rows listed (an earlier attempt, a removed row): actual cost only. */
  addSpent(line: { model: ModelId; quality: Quality | null; actualMicros: Micros }): void;
  summary(): CostSummary;
}

/** Per-request tiers (null) first, then low < medium < high. */
const qualityRank = (quality: Quality | null): number =>
  quality === null ? 0 : QUALITIES.indexOf(quality) + 1;

function checked(total: number, what: string): number {
  if (!Number.isSafeInteger(total)) throw new RangeError(`${what} too large to count exactly: ${total}`);
  return total;
}

function compareTiers(
  a: { model: ModelId; quality: Quality | null },
  b: { model: ModelId; quality: Quality | null },
): number {
  const byModel = MODEL_IDS.indexOf(a.model) - MODEL_IDS.indexOf(b.model);
  if (byModel !== 0) return byModel;
  return qualityRank(a.quality) - qualityRank(b.quality);
}

export function createCostAccumulator(): CostAccumulator {
  // model → quality → totals: two lookups of strings the caller already holds, instead of
  // building a key string for every line (estimate adds a million lines).
  const tiers = new Map<ModelId, Map<Quality | null, TierTotals>>();
  const created: TierTotals[] = [];
  let succeeded = 0;
  let failed = 0;
  const tierOf = (model: ModelId, quality: Quality | null): TierTotals => {
    let byQuality = tiers.get(model);
    if (!byQuality) {
      byQuality = new Map();
      tiers.set(model, byQuality);
    }
    let tier = byQuality.get(quality);
    if (!tier) {
      tier = { model, quality, rows: 0, images: 0, estimatedMicros: 0, actualMicros: 0 };
      byQuality.set(quality, tier);
      created.push(tier);
    }
    return tier;
  };
  return {
    addSpent(line) {
      tierOf(line.model, line.quality).actualMicros += line.actualMicros;
    },
    add(line) {
      const tier = tierOf(line.model, line.quality);
      tier.rows += 1;
      tier.images += line.images;
      tier.estimatedMicros += line.estimatedMicros;
      if (line.actualMicros !== undefined && line.actualMicros !== null)
        tier.actualMicros += line.actualMicros;
      if (line.status === "succeeded") succeeded += 1;
      else if (line.status === "failed") failed += 1;
    },
    summary() {
      const byTier = created.map((tier) => ({ ...tier })).sort(compareTiers);
      let rows = 0;
      let images = 0;
      let estimatedMicros = 0;
      let actualMicros = 0;
      for (const tier of byTier) {
        rows += tier.rows;
        images += tier.images;
        estimatedMicros += checked(tier.estimatedMicros, "estimated cost");
        actualMicros += checked(tier.actualMicros, "actual cost");
      }
      return {
        rows,
        succeeded,
        failed,
        images,
        estimatedMicros: checked(estimatedMicros, "estimated cost"),
        actualMicros: checked(actualMicros, "actual cost"),
        byTier,
      };
    },
  };
}

const count = z.number().int();

/** The `totals` of cost-report.json and of an estimate (which leaves out the actual figures). */
export const totalsJsonSchema = z.object({
  rows: count,
  succeeded: count.exactOptional(),
  failed: count.exactOptional(),
  images: count,
  estimated_usd: z.string(),
  actual_usd: z.string().exactOptional(),
});
export type TotalsJson = z.infer<typeof totalsJsonSchema>;

/** One entry of `by_tier`. */
export const tierJsonSchema = z.object({
  model: z.enum(MODEL_IDS),
  quality: z.enum(QUALITIES).nullable(),
  rows: count,
  images: count,
  estimated_usd: z.string(),
  actual_usd: z.string().exactOptional(),
});
export type TierJson = z.infer<typeof tierJsonSchema>;

/** The `totals` / `by_tier` part of cost-report.json (README, "Exit codes"); estimate leaves out the actual figures. */
export function costSummaryJson(
  summary: CostSummary,
  options: { includeActual: boolean },
): { totals: TotalsJson; by_tier: TierJson[] } {
  const totals: TotalsJson = options.includeActual
    ? {
        rows: summary.rows,
        succeeded: summary.succeeded,
        failed: summary.failed,
        images: summary.images,
        estimated_usd: formatUsd(summary.estimatedMicros),
        actual_usd: formatUsd(summary.actualMicros),
      }
    : { rows: summary.rows, images: summary.images, estimated_usd: formatUsd(summary.estimatedMicros) };
  const by_tier = summary.byTier.map((tier): TierJson => {
    const base = {
      model: tier.model,
      quality: tier.quality,
      rows: tier.rows,
      images: tier.images,
      estimated_usd: formatUsd(tier.estimatedMicros),
    };
    return options.includeActual ? { ...base, actual_usd: formatUsd(tier.actualMicros) } : base;
  });
  return { totals, by_tier };
}
