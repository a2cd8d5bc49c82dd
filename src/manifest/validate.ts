/**
 * Row validation: a RawRow (cells as read) becomes a JobRow with every default resolved, or the
 * list of everything wrong with it. The input rules themselves live in model-inputs.ts (shared
 * with the simulator); this module maps cells onto them and words the problems. Pure.
 */
import { checkModelInput, type FieldProblem } from "../core/model-inputs.js";
import {
  isQuality,
  MODEL_IDS,
  MODELS,
  isModelId,
  QUALITIES,
  type ModelId,
  type Quality,
} from "../core/models.js";
import {
  INPUT_COLUMNS,
  isKnownJsonKey,
  KNOWN_COLUMNS,
  METADATA_PREFIX,
  MODEL_CHOICES,
  MODEL_COLUMNS,
  unknownNameHint,
} from "./columns.js";
import { nearest } from "../core/spelling.js";
import { NO_DEFAULTS, type ResolvedDefaults } from "./defaults.js";
import { createFileClaims } from "./file-claims.js";
import { KeyRegistry } from "./key-registry.js";
import { canonicalModel, convertInput, displayField, isBlank, placeInput } from "./normalise.js";
import { makeProblem, undecodableProblem } from "./problems.js";
import { checkRowId, deriveRowKey, ID_RULE } from "./row-key.js";
import type { JobRow, ManifestItem, Problem, RawRow, RowLocation } from "./types.js";

function whereNumber(location: RowLocation): number {
  return "line" in location ? location.line : location.index;
}

function wherePhrase(location: RowLocation, where: number): string {
  return "line" in location ? `line ${where}` : `index ${where}`;
}

const IMAGE_FIELDS = new Set(["image_url", "image_urls", "mask_url"]);

/** `./raw/boot.jpg`, `/data/a.png`, `C:\\shots\\a.png`, `file:///…`, `boot.jpg`: a file on this machine, not a URL. */
function looksLikeLocalPath(value: string): boolean {
  const text = value.trim();
  if (/^file:/i.test(text) || /^[a-z]:[\\/]/i.test(text) || /^(\.{1,2}[\\/]|[\\/]|~[\\/]?)/.test(text))
    return true;
  return !/^[a-z][a-z0-9+.-]*:/i.test(text) && /\.(jpe?g|png|webp|gif|tiff?|bmp|heic|avif)$/i.test(text);
}

function fieldProblem(location: RowLocation, model: ModelId, problem: FieldProblem): Problem {
  const field = displayField(model, problem.field);
  if (problem.kind === "missing") {
    const choices = MODEL_CHOICES[model][problem.field];
    const give = choices ? `; give one of ${choices.join(", ")}` : "";
    return makeProblem(
      location,
      field,
      choices ? `one of ${choices.join(", ")}` : "a value",
      problem.found,
      `${field} is required by ${model} but is missing${give}`,
    );
  }
  const column = problem.field.split(".")[0] ?? "";
  if (IMAGE_FIELDS.has(column) && typeof problem.found === "string" && looksLikeLocalPath(problem.found)) {
    const message =
      `${field} is a local file; Runflow fetches images by URL: upload it (e.g. to your CDN or a bucket) and give its https URL ` +
      `(got ${JSON.stringify(problem.found)})`;
    return makeProblem(location, field, problem.expected, problem.found, message);
  }
  if (problem.kind === "unknown") {
    return makeProblem(
      location,
      field,
      "nothing",
      problem.found,
      `${field} is not an input of ${model}, got ${JSON.stringify(problem.found)}; leave it empty for this model`,
    );
  }
  return makeProblem(location, field, problem.expected, problem.found);
}

function putMetadata(
  metadata: Record<string, string>,
  key: string,
  value: unknown,
  location: RowLocation,
  problems: Problem[],
): void {
  if (isBlank(value)) return;
  if (typeof value === "object") problems.push(makeProblem(location, `metadata.${key}`, "text", value));
  else metadata[key] = String(value);
}

/** `metadata.sku` → `sku`, sliced once per column name rather than once per row. */
function metadataKeyCache(): (name: string) => string {
  const keys = new Map<string, string>();
  return (name) => {
    let key = keys.get(name);
    if (key === undefined) {
      key = name.slice(METADATA_PREFIX.length);
      if (keys.size < 1000) keys.set(name, key);
    }
    return key;
  };
}

function readMetadata(
  fields: Readonly<Record<string, unknown>>,
  defaults: ResolvedDefaults,
  location: RowLocation,
  problems: Problem[],
  keyOf: (name: string) => string,
) {
  let metadata: Record<string, string> | null = null;
  for (const name in fields) {
    if (name.startsWith(METADATA_PREFIX))
      putMetadata((metadata ??= { ...defaults.metadata }), keyOf(name), fields[name], location, problems);
  }
  const object = fields.metadata;
  if (!isBlank(object)) {
    if (typeof object !== "object" || Array.isArray(object))
      problems.push(makeProblem(location, "metadata", "an object of text values", object));
    else
      for (const key in object)
        putMetadata(
          (metadata ??= { ...defaults.metadata }),
          key,
          (object as Record<string, unknown>)[key],
          location,
          problems,
        );
  }
  if (metadata === null) return hasKeys(defaults.metadata) ? { ...defaults.metadata } : null;
  return hasKeys(metadata) ? metadata : null;
}

function hasKeys(object: object): boolean {
  for (const _key in object) return true;
  return false;
}

/** The decoder turns bytes that are not UTF-8 into U+FFFD; such text must not be sent (and paid for) as is. */
function hasUndecodableBytes(value: unknown, depth = 0): boolean {
  if (typeof value === "string") return value.includes("\uFFFD");
  if (depth > 2 || value === null || typeof value !== "object") return false;
  for (const item of Object.values(value)) if (hasUndecodableBytes(item, depth + 1)) return true;
  return false;
}

export interface RowValidator {
  /** Validates one row; remembers its key, so a later row reusing it gets a problem. */
  validate(raw: RawRow, extraProblems?: readonly Problem[]): ManifestItem;
  /** Replaces the manifest-level defaults (JSON `defaults`), already merged with the flags. */
  setDefaults(defaults: ResolvedDefaults): void;
}

/**
 * Per input column (INPUT_COLUMNS order), the default a blank cell takes for this model, or
 * undefined: only inputs the model accepts, never quality (resolved with its own precedence).
 * Worked out once per model and set of defaults instead of once per cell.
 */
function defaultInputsFor(model: ModelId, defaults: ResolvedDefaults): readonly unknown[] {
  const accepts = MODEL_COLUMNS[model];
  return INPUT_COLUMNS.map((column) => {
    if (column === "quality" || !accepts.has(column)) return undefined;
    const value = defaults.inputs[column];
    return isBlank(value) ? undefined : value;
  });
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
    if (earlier === null) return;
    const where = wherePhrase(location, earlier);
    problems.push(
      explicit
        ? makeProblem(
            location,
            "id",
            "an id not used by another row",
            key,
            `id ${JSON.stringify(key)} is already used on ${where}; ids must be unique — rename one of them`,
          )
        : makeProblem(
            location,
            "id",
            "a row that differs from the others",
            key,
            `row is identical to the one on ${where} and has no id, so both would get key ${key}; remove the copy, or give each an id to run both`,
          ),
    );
  }

  function validate(raw: RawRow, extraProblems: readonly Problem[] = []): ManifestItem {
    const { location, fields } = raw;
    const problems: Problem[] = extraProblems.length > 0 ? [...extraProblems] : [];
    for (const name in fields) {
      if (hasUndecodableBytes(fields[name]))
        problems.push(undecodableProblem(location, name, fields[name], raw.undecodable));
    }
    if (json) {
      for (const name in fields) {
        if (!isKnownJsonKey(name) && !name.startsWith(METADATA_PREFIX)) {
          problems.push(
            makeProblem(
              location,
              name,
              "a known key",
              fields[name],
              `${unknownNameHint(name, [...KNOWN_COLUMNS, "metadata", "config"], "key")}`,
            ),
          );
        }
      }
    }
    let explicitId: string | null = null;
    if (!isBlank(fields.id)) {
      const checked = checkRowId(fields.id);
      if (checked.ok) explicitId = checked.id;
      else
        problems.push(
          makeProblem(
            location,
            "id",
            checked.expected,
            fields.id,
            `id must be ${checked.expected}, got ${JSON.stringify(fields.id)}${checked.expected === ID_RULE ? " (it names files and queue jobs)" : ""}`,
          ),
        );
    }
    if (explicitId !== null) claimKey(explicitId, location, true, problems);

    const modelValue = isBlank(fields.model) ? defaults.model : canonicalModel(fields.model);
    if (modelValue === null) {
      problems.push(
        makeProblem(
          location,
          "model",
          "a model",
          undefined,
          `model is missing: give one of ${MODEL_IDS.join(", ")} in the row, as a manifest default, or with --model`,
        ),
      );
      return { ok: false, problems, location };
    }
    if (!isModelId(modelValue)) {
      const hint = typeof modelValue === "string" ? nearest(modelValue, MODEL_IDS) : null;
      problems.push(
        makeProblem(
          location,
          "model",
          `one of ${MODEL_IDS.join(", ")}`,
          modelValue,
          `model must be one of ${MODEL_IDS.join(", ")}, got ${JSON.stringify(modelValue)}${hint ? ` — did you mean ${hint}?` : ""}`,
        ),
      );
      return { ok: false, problems, location };
    }
    // The shared constant rather than the row's copy of the text: later lookups by model
    // (schemas, prices, totals) then compare and hash a string they have seen before.
    const model: ModelId = MODEL_IDS[MODEL_IDS.indexOf(modelValue)] ?? modelValue;
    const info = MODELS[model];
    const fallbacks = (defaultInputs[model] ??= defaultInputsFor(model, defaults));

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
