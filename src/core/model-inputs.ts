/**
 * The input rules of each Runflow model (docs/runflow-api.md; the rules themselves live here),
 * written once with the rule kinds of input-rules.ts, which make each rule's zod schema and its
 * fast check together. One truth used twice: the manifest validator checks rows with it before
 * anything is submitted, and the simulator answers 422 with it, as the real service does.
 * Pure: no I/O.
 */
import type { z } from "zod";
import { passesShape, type FastShape } from "./input-fast-path.js";
import {
  boolean,
  imageSize,
  integer,
  list,
  object,
  oneOf,
  optional,
  text,
  url,
  type ObjectRule,
} from "./input-rules.js";
import { QUALITIES, type ModelId } from "./models.js";

const IMAGE_SIZE_PRESETS = [
  "square_hd",
  "square",
  "portrait_4_3",
  "portrait_16_9",
  "landscape_4_3",
  "landscape_16_9",
] as const;
const GPT_IMAGE_15_SIZES = ["1024x1024", "1536x1024", "1024x1536", "auto"] as const;
const OUTPUT_FORMATS = ["png", "jpeg", "webp"] as const;
const BACKGROUNDS = ["auto", "transparent", "opaque"] as const;
const ASPECT_RATIOS = ["1:1", "2:3", "3:2", "3:4", "4:3", "4:5", "5:4", "9:16", "16:9", "21:9"] as const;
const RESOLUTIONS = ["1K", "2K", "4K"] as const;
const MAX_PROMPT_LENGTH = 32_000;

/** One broken rule: the field (dotted path), what was expected, and the offending value. */
export interface FieldProblem {
  /** unknown: the model has no such input; missing: required but absent; invalid: present but wrong. */
  readonly kind: "unknown" | "missing" | "invalid";
  readonly field: string;
  readonly expected: string;
  readonly found: unknown;
}

const prompt = (min: number) =>
  text({
    min,
    max: MAX_PROMPT_LENGTH,
    error: "text",
    minError: min === 1 ? "a non-empty prompt" : `a prompt of at least ${min} characters`,
    maxError: `a prompt of at most ${MAX_PROMPT_LENGTH} characters`,
  });
const numImages = integer(1, 4, "a whole number from 1 to 4");
const httpUrl = url({ https: false });

const gptImage2 = {
  prompt: prompt(1),
  num_images: optional(numImages),
  quality: optional(oneOf(QUALITIES)),
  image_size: optional(imageSize(IMAGE_SIZE_PRESETS)),
  output_format: optional(oneOf(OUTPUT_FORMATS)),
  sync_mode: optional(boolean("true or false")),
};

const MODEL_RULES: Readonly<Record<ModelId, ObjectRule>> = {
  "openai/gpt-image-2": object(gptImage2),
  "openai/gpt-image-2/edit": object({
    ...gptImage2,
    image_urls: list(httpUrl, {
      min: 1,
      error: "a list of http(s) URLs",
      minError: "at least one image URL",
    }),
    mask_url: optional(httpUrl),
    image_size: optional(imageSize([...IMAGE_SIZE_PRESETS, "auto"])),
  }),
  "openai/gpt-image-1.5": object({
    prompt: prompt(2),
    quality: optional(oneOf(QUALITIES)),
    image_size: optional(oneOf(GPT_IMAGE_15_SIZES)),
    background: optional(oneOf(BACKGROUNDS)),
    num_images: optional(numImages),
    output_format: optional(oneOf(OUTPUT_FORMATS)),
  }),
  "runflow/tag-removal": object({
    image_url: httpUrl,
    config: optional(object({ aspect_ratio: optional(text({ error: "text" })) })),
  }),
  "runflow/product-isolation": object({
    image_url: url({ https: true }),
    aspect_ratio: oneOf(ASPECT_RATIOS),
    resolution: oneOf(RESOLUTIONS),
    prompt: optional(prompt(1)),
  }),
};

function mapModels<T>(f: (rules: ObjectRule) => T): Record<ModelId, T> {
  const entries = Object.entries(MODEL_RULES).map(([model, rules]) => [model, f(rules)]);
  return Object.fromEntries(entries) as Record<ModelId, T>;
}

/** Each model's input as a zod schema: it decides, and words the problems. */
export const MODEL_INPUT_SCHEMAS: Readonly<Record<ModelId, z.ZodType>> = mapModels((rules) => rules.schema);
/** The same rules as sufficient conditions (input-fast-path.ts), made from the same table. */
const FAST_SHAPES: Readonly<Record<ModelId, FastShape>> = mapModels((rules) => rules.shape);

/** True when the input is certainly valid for the model (the schema would accept it). */
export function isCertainlyValidInput(model: ModelId, input: unknown): boolean {
  return passesShape(FAST_SHAPES[model], input);
}

function valueAt(input: unknown, path: readonly PropertyKey[]): unknown {
  let current: unknown = input;
  for (const key of path) {
    if (current === null || typeof current !== "object") return undefined;
    current = (current as Record<PropertyKey, unknown>)[key];
  }
  return current;
}

/** Every rule the input breaks (empty when it is valid). */
export function checkModelInput(model: ModelId, input: unknown): FieldProblem[] {
  if (isCertainlyValidInput(model, input)) return [];
  const result = MODEL_INPUT_SCHEMAS[model].safeParse(input);
  if (result.success) return [];
  const problems: FieldProblem[] = [];
  for (const issue of result.error.issues) {
    if (issue.code === "unrecognized_keys") {
      for (const key of issue.keys) {
        problems.push({
          kind: "unknown",
          field: [...issue.path, key].join("."),
          expected: "no such field for " + model,
          found: valueAt(input, [...issue.path, key]),
        });
      }
      continue;
    }
    const found = valueAt(input, issue.path);
    const field = issue.path.join(".") || "input";
    const expected =
      found === undefined && issue.code === "invalid_type" ? "a value (required)" : issue.message;
    problems.push({ kind: found === undefined ? "missing" : "invalid", field, expected, found });
  }
  return problems;
}
