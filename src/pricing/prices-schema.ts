/**
 * The `--prices FILE` format, validated with zod. One entry per model; each price replaces the
 * built-in one for that model and tier, the rest stay built-in:
 *
 *   { "openai/gpt-image-2": {"low": "0.009", "medium": "0.034", "high": "0.133"},
 *     "runflow/tag-removal": {"request": "0.14"},
 *     "assumptions": ["optional notes repeated in every report"] }
 *
 * Amounts are decimal strings (or JSON numbers), at most 6 decimals, parsed exactly. Pure.
 */
import { z } from "zod";
import { MODEL_IDS, MODELS, isModelId, type ModelId, type Quality } from "../core/models.js";
import { UsageError } from "../core/errors.js";
import { nearest } from "../core/spelling.js";
import { parseUsdValue, type Micros } from "../core/money.js";
import { BUILT_IN_PRICES, type ModelPrice, type PriceTable } from "./table.js";

const amount = z.union([z.string(), z.number()], { error: 'a dollar amount such as "0.133"' });
const tierEntry = z.strictObject({
  low: amount.optional(),
  medium: amount.optional(),
  high: amount.optional(),
});
const requestEntry = z.strictObject({ request: amount });
const fileSchema = z.record(z.string(), z.unknown());

export const PRICES_FILE_EXAMPLE =
  '{"openai/gpt-image-2": {"low": "0.009", "medium": "0.034", "high": "0.133"}, ' +
  '"runflow/tag-removal": {"request": "0.14"}}';

/** No image or request costs more; a larger figure is a typo, and would overflow exact totals. */
const MAX_PRICE_MICROS = 1_000 * 1_000_000;

function money(file: string, where: string, value: unknown): Micros {
  let micros: Micros;
  try {
    micros = parseUsdValue(value);
  } catch (error) {
    throw new UsageError(
      `${file}: ${where} must be a dollar amount such as "0.133" (at most 6 decimals, not negative), ` +
        `got ${JSON.stringify(value)}.`,
      { cause: error },
    );
  }
  if (micros > MAX_PRICE_MICROS)
    throw new UsageError(
      `${file}: ${where} must be at most $1,000 per image or request, got ${JSON.stringify(value)}.`,
    );
  return micros;
}

/** Builds the price table a prices file describes, over `base`. Errors name the file and the entry. */
export function parsePriceTable(
  value: unknown,
  file: string,
  base: PriceTable = BUILT_IN_PRICES,
): PriceTable {
  const parsed = fileSchema.safeParse(value);
  if (!parsed.success)
    throw new UsageError(
      `${file}: expected a JSON object of model → prices, such as ${PRICES_FILE_EXAMPLE}.`,
    );
  const models: Partial<Record<ModelId, ModelPrice>> = { ...base.models };
  const replaced = new Map<ModelId, Set<string>>();
  let notes: string[] = [];
  for (const [key, entry] of Object.entries(parsed.data)) {
    if (key === "assumptions") {
      const list = z.array(z.string()).safeParse(entry);
      if (!list.success)
        throw new UsageError(
          `${file}: "assumptions" must be a list of sentences, got ${JSON.stringify(entry)}.`,
        );
      notes = list.data;
      continue;
    }
    if (!isModelId(key)) {
      const hint = nearest(key, MODEL_IDS);
      throw new UsageError(
        `${file}: unknown model "${key}"${hint ? ` — did you mean "${hint}"?` : ""} (models: ${MODEL_IDS.join(", ")}).`,
      );
    }
    if (MODELS[key].billing === "request") {
      const checked = requestEntry.safeParse(entry);
      if (!checked.success)
        throw new UsageError(
          `${file}: "${key}" is billed per request; give {"request": "0.14"}, got ${JSON.stringify(entry)}.`,
        );
      models[key] = { unit: "request", price: money(file, `"${key}".request`, checked.data.request) };
      replaced.set(key, new Set(["request"]));
      continue;
    }
    const checked = tierEntry.safeParse(entry);
    const given = checked.success
      ? (Object.entries(checked.data).filter(([, v]) => v !== undefined) as [Quality, unknown][])
      : [];
    if (!checked.success || given.length === 0) {
      throw new UsageError(
        `${file}: "${key}" is billed per image; ` +
          `give its tiers as {"low": "0.009", "medium": "0.034", "high": "0.133"} (any of them), ` +
          `got ${JSON.stringify(entry)}.`,
      );
    }
    const previous = models[key];
    const tiers: Partial<Record<Quality, Micros>> = previous?.unit === "image" ? { ...previous.tiers } : {};
    for (const [tier, price] of given) tiers[tier] = money(file, `"${key}".${tier}`, price);
    models[key] = { unit: "image", tiers };
    replaced.set(key, new Set(given.map(([tier]) => tier)));
  }
  const kept = base.assumptions.filter((note) => {
    // The built-in gpt-image-1.5 assumption is about its low/medium tiers; drop it once the file prices them.
    const tiers = replaced.get("openai/gpt-image-1.5");
    return !(note.startsWith("openai/gpt-image-1.5") && tiers?.has("low") && tiers.has("medium"));
  });
  const everything = MODEL_IDS.every((model) => replaced.has(model));
  const fallback = everything ? [] : [`Prices not in ${file} are the ${base.source} defaults.`];
  return { source: file, models, assumptions: [...kept, ...fallback, ...notes] };
}
