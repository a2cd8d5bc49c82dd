/**
 * The columns (CSV) and keys (JSON) a manifest may use, and the spelling help for the rest:
 * "`qualty` — did you mean `quality`?". Pure.
 */
import { z } from "zod";
import { MODEL_IDS, type ModelId } from "../core/models.js";
import { MODEL_INPUT_SCHEMAS } from "../core/model-inputs.js";
import { nearest } from "../core/spelling.js";

/** Model inputs a row may give, as columns. `aspect_ratio` is `config.aspect_ratio` for tag-removal. */
export const INPUT_COLUMNS = [
  "prompt",
  "quality",
  "num_images",
  "image_size",
  "output_format",
  "background",
  "mask_url",
  "image_url",
  "image_urls",
  "aspect_ratio",
  "resolution",
  "sync_mode",
] as const;

export const KNOWN_COLUMNS: readonly string[] = ["id", "model", ...INPUT_COLUMNS];
export const METADATA_PREFIX = "metadata.";

/** Keys a JSON/JSONL row may use beyond the CSV columns: a `metadata` object, a `config` object. */
const JSON_ONLY_KEYS = ["metadata", "config"] as const;

export function isKnownCsvColumn(name: string): boolean {
  return (
    KNOWN_COLUMNS.includes(name) || (name.startsWith(METADATA_PREFIX) && name.length > METADATA_PREFIX.length)
  );
}

export function isKnownJsonKey(name: string): boolean {
  return KNOWN_COLUMNS.includes(name) || (JSON_ONLY_KEYS as readonly string[]).includes(name);
}

/** Which input columns each model accepts, read from its schema (one truth: model-inputs.ts). */
export const MODEL_COLUMNS: Readonly<Record<ModelId, ReadonlySet<string>>> = Object.fromEntries(
  MODEL_IDS.map((model) => {
    const shape =
      (MODEL_INPUT_SCHEMAS[model] as unknown as { shape?: Record<string, z.ZodType> }).shape ?? {};
    const keys = new Set(Object.keys(shape));
    if (keys.has("config")) keys.add("aspect_ratio");
    return [model, keys];
  }),
) as unknown as Record<ModelId, ReadonlySet<string>>;

/** The fixed values a schema takes (an enum, or an enum inside an optional or a union), or null. */
function choicesOf(schema: z.ZodType | undefined): readonly string[] | null {
  if (schema instanceof z.ZodOptional) return choicesOf(schema.unwrap() as z.ZodType);
  if (schema instanceof z.ZodEnum) return schema.options.map(String);
  if (schema instanceof z.ZodUnion) {
    for (const option of schema.options as readonly z.ZodType[]) {
      const choices = choicesOf(option);
      if (choices) return choices;
    }
  }
  return null;
}

/**
 * Per model, the columns whose value is one of a fixed list (`quality`, `resolution`,
 * `aspect_ratio` of product isolation, `image_size` presets…), read from the schemas.
 */
export const MODEL_CHOICES: Readonly<Record<ModelId, Readonly<Record<string, readonly string[]>>>> =
  Object.fromEntries(
    MODEL_IDS.map((model) => {
      const shape =
        (MODEL_INPUT_SCHEMAS[model] as unknown as { shape?: Record<string, z.ZodType> }).shape ?? {};
      const choices: Record<string, readonly string[]> = {};
      for (const [column, schema] of Object.entries(shape)) {
        const values = choicesOf(schema);
        if (values) choices[column] = values;
      }
      return [model, choices];
    }),
  ) as unknown as Record<ModelId, Record<string, readonly string[]>>;

/** "`qualty` — did you mean `quality`?" or "`foo` is not a known column". */
export function unknownNameHint(name: string, candidates: readonly string[], what = "column"): string {
  const suggestion = nearest(name, candidates);
  return suggestion
    ? `unknown ${what} \`${name}\` — did you mean \`${suggestion}\`?`
    : `unknown ${what} \`${name}\``;
}

export function knownColumnsList(): string {
  return [...KNOWN_COLUMNS, `${METADATA_PREFIX}<key>`].join(", ");
}
