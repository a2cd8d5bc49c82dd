/**
 * Manifest-level defaults (`{"defaults": {…}, "jobs": […]}`) and how they combine with the
 * command line's `--model` / `--quality`.
 *
 * Precedence, highest first: the row's own value > `--model`/`--quality` > the manifest's
 * `defaults` > the model's default tier. A row's explicit value is never overridden (that would
 * silently change what a row says it costs); the command line beats the file's defaults because
 * it is the most recent decision of the person running the batch ("this time, at low").
 *
 * A default input (e.g. `output_format`) applies only to rows whose model takes that input, so
 * one `defaults` block can serve a manifest that mixes generations with tag removal. Pure.
 */
import { isModelId, isQuality, MODEL_IDS, QUALITIES, type ModelId, type Quality } from "../core/models.js";
import { INPUT_COLUMNS, unknownNameHint } from "./columns.js";
import { nearest } from "../core/spelling.js";
import { ManifestError } from "./errors.js";
import { canonicalModel, isBlank } from "./normalise.js";

export interface ResolvedDefaults {
  readonly model: ModelId | null;
  readonly quality: Quality | null;
  /** Input columns → default values (raw, converted per row like the row's own cells). */
  readonly inputs: Readonly<Record<string, unknown>>;
  readonly metadata: Readonly<Record<string, string>>;
}

export const NO_DEFAULTS: ResolvedDefaults = { model: null, quality: null, inputs: {}, metadata: {} };

const DEFAULT_KEYS: readonly string[] = ["model", ...INPUT_COLUMNS, "metadata"];

/** Validates a manifest's `defaults` object; anything wrong stops the manifest (exit 2). */
export function parseManifestDefaults(value: unknown, file: string): ResolvedDefaults {
  const fail = (what: string) => new ManifestError(`${file}: "defaults" ${what}`, { file });
  if (value === null || typeof value !== "object" || Array.isArray(value)) {
    throw fail(
      `must be an object such as {"model": "openai/gpt-image-2", "quality": "medium"}, got ${JSON.stringify(value)}`,
    );
  }
  let model: ModelId | null = null;
  let quality: Quality | null = null;
  const inputs: Record<string, unknown> = {};
  const metadata: Record<string, string> = {};
  for (const [key, given] of Object.entries(value as Record<string, unknown>)) {
    if (isBlank(given)) continue;
    // Model ids and tiers in any case (`High`), kept in Runflow's spelling.
    const entry =
      key === "model"
        ? canonicalModel(given)
        : key === "quality" && typeof given === "string"
          ? given.trim().toLowerCase()
          : given;
    if (key === "model") {
      if (!isModelId(entry)) {
        const hint = typeof entry === "string" ? nearest(entry, MODEL_IDS) : null;
        const didYouMean = hint ? ` — did you mean ${hint}?` : "";
        throw fail(`model must be one of ${MODEL_IDS.join(", ")}, got ${JSON.stringify(entry)}${didYouMean}`);
      }
      model = entry;
    } else if (key === "quality") {
      if (!isQuality(entry))
        throw fail(`quality must be one of ${QUALITIES.join(", ")}, got ${JSON.stringify(entry)}`);
      quality = entry;
    } else if (key === "metadata") {
      if (typeof entry !== "object" || entry === null || Array.isArray(entry))
        throw fail(`metadata must be an object of text values, got ${JSON.stringify(entry)}`);
      for (const [metaKey, metaValue] of Object.entries(entry as Record<string, unknown>)) {
        if (isBlank(metaValue)) continue;
        if (typeof metaValue === "object")
          throw fail(`metadata.${metaKey} must be text, got ${JSON.stringify(metaValue)}`);
        metadata[metaKey] = String(metaValue);
      }
    } else if ((INPUT_COLUMNS as readonly string[]).includes(key)) {
      inputs[key] = entry;
    } else if (key === "id") {
      throw fail("cannot set id: every row needs its own (or none, to derive one from the row)");
    } else {
      throw fail(`has an ${unknownNameHint(key, DEFAULT_KEYS, "key")} (allowed: ${DEFAULT_KEYS.join(", ")})`);
    }
  }
  return { model, quality, inputs, metadata };
}

/** `--model` / `--quality` over the manifest's defaults (see the precedence above). */
export function withFlagDefaults(
  manifest: ResolvedDefaults,
  flags: { model?: ModelId; quality?: Quality } | undefined,
): ResolvedDefaults {
  if (!flags) return manifest;
  return { ...manifest, model: flags.model ?? manifest.model, quality: flags.quality ?? manifest.quality };
}
