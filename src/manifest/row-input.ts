/**
 * A valid-model row's input as it is POSTed: its input cells (blank ones take the manifest's
 * defaults the model accepts), placed and converted for the model, with its quality tier and
 * image count resolved for a per-image model. Pure; the model's rules are checked afterwards.
 */
import { isQuality, MODELS, QUALITIES, type ModelId, type Quality } from "../core/models.js";
import { INPUT_COLUMNS, MODEL_COLUMNS } from "./columns.js";
import type { ResolvedDefaults } from "./defaults.js";
import { convertInput, isBlank, placeInput } from "./normalise.js";

/**
 * Per input column (INPUT_COLUMNS order), the default a blank cell takes for this model, or
 * undefined: only inputs the model accepts, never quality (resolved with its own precedence).
 * Worked out once per model and set of defaults instead of once per cell.
 */
export function defaultInputsFor(model: ModelId, defaults: ResolvedDefaults): readonly unknown[] {
  const accepts = MODEL_COLUMNS[model];
  return INPUT_COLUMNS.map((column) => {
    if (column === "quality" || !accepts.has(column)) return undefined;
    const value = defaults.inputs[column];
    return isBlank(value) ? undefined : value;
  });
}

export interface RowInput {
  readonly input: Record<string, unknown>;
  /** The tier a per-image model's row is priced at (null: per-request, or an unknown tier). */
  readonly quality: Quality | null;
  readonly images: number;
}

export function rowInput(
  model: ModelId,
  fields: Readonly<Record<string, unknown>>,
  fallbacks: readonly unknown[],
  defaults: ResolvedDefaults,
  json: boolean,
): RowInput {
  const input: Record<string, unknown> = {};
  if (json && !isBlank(fields.config)) input.config = fields.config;
  for (let c = 0; c < INPUT_COLUMNS.length; c++) {
    const column = INPUT_COLUMNS[c] as string;
    let value = fields[column];
    if (value === undefined || isBlank(value)) {
      value = fallbacks[c];
      if (value === undefined) continue;
    }
    placeInput(input, model, column, convertInput(model, column, value));
  }
  const info = MODELS[model];
  let quality: Quality | null = null;
  let images = 1;
  if (info.billing === "image") {
    const given = input.quality;
    quality =
      given === undefined
        ? (defaults.quality ?? info.defaultQuality)
        : isQuality(given)
          ? (QUALITIES[QUALITIES.indexOf(given)] ?? given)
          : null;
    if (given === undefined && quality !== null) input.quality = quality;
    const count = input.num_images;
    if (count === undefined) input.num_images = 1;
    else if (typeof count === "number" && Number.isInteger(count)) images = count;
  }
  return { input, quality, images };
}
