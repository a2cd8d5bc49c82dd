/**
 * Loading the price table: built-in defaults, or `--prices FILE` over them (format in
 * prices-schema.ts). Also the report's `prices` object and per-row pricing, re-exported here so
 * callers have one import for prices.
 */
import { readFile } from "node:fs/promises";
import { UsageError } from "../core/errors.js";
import { MODEL_IDS, QUALITIES } from "../core/models.js";
import { formatUsd } from "../core/money.js";
import { PRICES_FILE_EXAMPLE, parsePriceTable } from "./prices-schema.js";
import { BUILT_IN_PRICES, type PriceTable } from "./table.js";

export { parsePriceTable } from "./prices-schema.js";

export async function loadPriceTable(file?: string): Promise<PriceTable> {
  if (file === undefined || file === "") return BUILT_IN_PRICES;
  let text: string;
  try {
    text = await readFile(file, "utf8");
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const why = code === "ENOENT" ? "no such file; check the path" : (code ?? String(error));
    throw new UsageError(`${file}: cannot read the prices file (${why}).`, { cause: error });
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    const why = error instanceof Error ? error.message : String(error);
    throw new UsageError(`${file}: not valid JSON (${why}); expected e.g. ${PRICES_FILE_EXAMPLE}.`, {
      cause: error,
    });
  }
  return parsePriceTable(value, file);
}

export type PricesJson = { source: string; assumptions: string[] } & Record<string, unknown>;

/** The `prices` object of cost-report.json and `estimate --format json`. */
export function pricesJson(table: PriceTable): PricesJson {
  const out: Record<string, unknown> = { source: table.source };
  for (const model of MODEL_IDS) {
    const entry = table.models[model];
    if (!entry) continue;
    if (entry.unit === "request") {
      out[model] = { request: formatUsd(entry.price) };
    } else {
      const tiers: Record<string, string> = {};
      for (const tier of QUALITIES) {
        const price = entry.tiers[tier];
        if (price !== undefined) tiers[tier] = formatUsd(price);
      }
      out[model] = tiers;
    }
  }
  out.assumptions = [...table.assumptions];
  return out as PricesJson;
}
