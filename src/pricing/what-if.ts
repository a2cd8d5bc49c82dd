/**
 * "What would this manifest cost if every row were at low / medium / high?" — the decision a
 * catalogue team makes before a run. Per-image rows are re-priced at each tier (same image
 * counts); per-request rows keep their price. Exact: tier price × images is linear. Pure.
 */
import { MODELS, QUALITIES, type Quality } from "../core/models.js";
import type { CostSummary } from "./totals.js";
import type { Micros } from "../core/money.js";
import { priceOf, UnknownPriceError, type PriceTable } from "./table.js";

export interface TierScenario {
  readonly quality: Quality;
  /** Null when some model in the manifest has no price at this tier. */
  readonly micros: Micros | null;
  /** Why micros is null: the first missing price. */
  readonly missing: string | null;
}

export function costAtEachTier(summary: CostSummary, table: PriceTable): TierScenario[] {
  return QUALITIES.map((quality) => {
    let total = 0;
    for (const tier of summary.byTier) {
      if (MODELS[tier.model].billing === "request") {
        total += tier.estimatedMicros;
        continue;
      }
      try {
        total += priceOf(table, tier.model, quality, tier.images);
      } catch (error) {
        if (error instanceof UnknownPriceError)
          return { quality, micros: null, missing: `no ${quality} price for ${tier.model}` };
        throw error;
      }
    }
    return { quality, micros: total, missing: null };
  });
}
