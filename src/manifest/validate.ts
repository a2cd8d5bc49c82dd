/**
 * Row validation: a RawRow (cells as read) becomes a JobRow with every default resolved, or the
 * list of everything wrong with it. The input rules themselves live in model-inputs.ts (shared
 * with the simulator); this module maps cells onto them (row-checks.ts, row-input.ts,
 * row-metadata.ts), words the problems (field-problems.ts) and keeps keys and files unique. Pure.
 */
import { checkModelInput } from "../core/model-inputs.js";
import type { ModelId } from "../core/models.js";
import { NO_DEFAULTS, type ResolvedDefaults } from "./defaults.js";
import { fieldProblem } from "./field-problems.js";
import { createFileClaims } from "./file-claims.js";
import { KeyRegistry } from "./key-registry.js";
import { makeProblem } from "./problems.js";
import { cellProblems, explicitIdOf, modelOf } from "./row-checks.js";
import { defaultInputsFor, rowInput } from "./row-input.js";
import { deriveRowKey } from "./row-key.js";
import { metadataKeyCache, readMetadata } from "./row-metadata.js";
import type { JobRow, ManifestItem, Problem, RawRow, RowLocation } from "./types.js";

function whereNumber(location: RowLocation): number {
  return "line" in location ? location.line : location.index;
}

function wherePhrase(location: RowLocation, where: number): string {
  return "line" in location ? `line ${where}` : `index ${where}`;
}

/** A second row with the same key: a reused id, or (no id) a copy of an earlier row. */
function keyClash(key: string, location: RowLocation, explicit: boolean, where: string): Problem {
  if (explicit) {
    const message = `id ${JSON.stringify(key)} is already used on ${where}; ids must be unique — rename one of them`;
    return makeProblem(location, "id", "an id not used by another row", key, message);
  }
  const message =
    `row is identical to the one on ${where} and has no id, so both would get key ${key}; ` +
    `remove the copy, or give each an id to run both`;
  return makeProblem(location, "id", "a row that differs from the others", key, message);
}

export interface RowValidator {
  /** Validates one row; remembers its key, so a later row reusing it gets a problem. */
  validate(raw: RawRow, extraProblems?: readonly Problem[]): ManifestItem;
  /** Replaces the manifest-level defaults (JSON `defaults`), already merged with the flags. */
  setDefaults(defaults: ResolvedDefaults): void;
}

export function createRowValidator(
  options: { defaults?: ResolvedDefaults; json?: boolean } = {},
): RowValidator {
  let defaults = options.defaults ?? NO_DEFAULTS;
  let defaultInputs: Partial<Record<ModelId, readonly unknown[]>> = {};
  const json = options.json ?? false;
  const keys = new KeyRegistry();
  const files = createFileClaims();
  const metadataKey = metadataKeyCache();

  function claimKey(key: string, location: RowLocation, explicit: boolean, problems: Problem[]): void {
    const earlier = keys.claim(key, whereNumber(location));
    if (earlier !== null) problems.push(keyClash(key, location, explicit, wherePhrase(location, earlier)));
  }

  function validate(raw: RawRow, extraProblems: readonly Problem[] = []): ManifestItem {
    const { location, fields } = raw;
    const problems: Problem[] = extraProblems.length > 0 ? [...extraProblems] : [];
    cellProblems(raw, json, problems);
    const explicitId = explicitIdOf(fields, location, problems);
    if (explicitId !== null) claimKey(explicitId, location, true, problems);
    const model = modelOf(fields, defaults, location, problems);
    if (model === null) return { ok: false, problems, location };
    const fallbacks = (defaultInputs[model] ??= defaultInputsFor(model, defaults));
    const { input, quality, images } = rowInput(model, fields, fallbacks, defaults, json);
    for (const problem of checkModelInput(model, input))
      problems.push(fieldProblem(location, model, problem));
    const metadata = readMetadata(fields, defaults, location, problems, metadataKey);

    if (problems.length > 0) return { ok: false, problems, location };
    const key = explicitId ?? deriveRowKey({ model, input, metadata });
    if (explicitId === null) claimKey(key, location, false, problems);
    const clash = files.claim({ key, images, outputFormat: input.output_format }, location);
    if (clash) problems.push(clash);
    if (problems.length > 0) return { ok: false, problems, location };
    const row: JobRow = { key, model, quality, images, input, metadata, location };
    return { ok: true, row };
  }

  return {
    validate,
    setDefaults(next) {
      defaults = next;
      defaultInputs = {};
    },
  };
}
