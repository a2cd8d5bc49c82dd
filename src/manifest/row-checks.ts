/**
 * The checks of a row before its input: cells that did not decode, keys a JSON row should not
 * have, its id, and its model (the cell, or the default). Each adds what is wrong to `problems`. Pure.
 */
import { MODEL_IDS, isModelId, type ModelId } from "../core/models.js";
import { nearest } from "../core/spelling.js";
import { isKnownJsonKey, KNOWN_COLUMNS, METADATA_PREFIX, unknownNameHint } from "./columns.js";
import type { ResolvedDefaults } from "./defaults.js";
import { canonicalModel, isBlank } from "./normalise.js";
import { makeProblem, undecodableProblem } from "./problems.js";
import { checkRowId, ID_RULE } from "./row-key.js";
import type { Problem, RawRow, RowLocation } from "./types.js";

/** The decoder turns bytes that are not UTF-8 into U+FFFD; such text must not be sent (and paid for) as is. */
function hasUndecodableBytes(value: unknown, depth = 0): boolean {
  if (typeof value === "string") return value.includes("\uFFFD");
  if (depth > 2 || value === null || typeof value !== "object") return false;
  for (const item of Object.values(value)) if (hasUndecodableBytes(item, depth + 1)) return true;
  return false;
}

/** Cells with bytes that are not text, and (JSON) keys that are neither a column nor metadata. */
export function cellProblems(raw: RawRow, json: boolean, problems: Problem[]): void {
  const { location, fields } = raw;
  for (const name in fields) {
    if (hasUndecodableBytes(fields[name]))
      problems.push(undecodableProblem(location, name, fields[name], raw.undecodable));
  }
  if (!json) return;
  for (const name in fields) {
    if (!isKnownJsonKey(name) && !name.startsWith(METADATA_PREFIX)) {
      const hint = unknownNameHint(name, [...KNOWN_COLUMNS, "metadata", "config"], "key");
      problems.push(makeProblem(location, name, "a known key", fields[name], hint));
    }
  }
}

/** The row's own id, checked; null when it has none or it is not a valid id. */
export function explicitIdOf(
  fields: Readonly<Record<string, unknown>>,
  location: RowLocation,
  problems: Problem[],
): string | null {
  if (isBlank(fields.id)) return null;
  const checked = checkRowId(fields.id);
  if (checked.ok) return checked.id;
  const why = checked.expected === ID_RULE ? " (it names files and queue jobs)" : "";
  const message = `id must be ${checked.expected}, got ${JSON.stringify(fields.id)}${why}`;
  problems.push(makeProblem(location, "id", checked.expected, fields.id, message));
  return null;
}

/** The row's model (its cell, else the default) as the catalogue's own string; null when missing or unknown. */
export function modelOf(
  fields: Readonly<Record<string, unknown>>,
  defaults: ResolvedDefaults,
  location: RowLocation,
  problems: Problem[],
): ModelId | null {
  const value = isBlank(fields.model) ? defaults.model : canonicalModel(fields.model);
  if (value === null) {
    const models = MODEL_IDS.join(", ");
    const message = `model is missing: give one of ${models} in the row, as a manifest default, or with --model`;
    problems.push(makeProblem(location, "model", "a model", undefined, message));
    return null;
  }
  if (!isModelId(value)) {
    const models = MODEL_IDS.join(", ");
    const hint = typeof value === "string" ? nearest(value, MODEL_IDS) : null;
    const didYouMean = hint ? ` — did you mean ${hint}?` : "";
    const message = `model must be one of ${models}, got ${JSON.stringify(value)}${didYouMean}`;
    problems.push(makeProblem(location, "model", `one of ${models}`, value, message));
    return null;
  }
  // The shared constant rather than the row's copy of the text: later lookups by model
  // (schemas, prices, totals) then compare and hash a string they have seen before.
  return MODEL_IDS[MODEL_IDS.indexOf(value)] ?? value;
}
