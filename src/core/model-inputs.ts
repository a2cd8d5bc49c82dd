/**
 * The input rules of each Runflow model (docs/runflow-api.md; the rules themselves live here), as zod
 * schemas. One truth used twice: the manifest validator checks rows with it before anything is
 * submitted, and the simulator answers 422 with it, as the real service does.
 * Pure: no I/O.
 */
import { z } from "zod";
import {
  fastShape,
  member,
  optional,
  passesShape,
  required,
  type FastCheck,
  type FastShape,
} from "./input-fast-path.js";
import { QUALITIES, type ModelId } from "./models.js";

export const IMAGE_SIZE_PRESETS = [
  "square_hd",
  "square",
  "portrait_4_3",
  "portrait_16_9",
  "landscape_4_3",
  "landscape_16_9",
] as const;
export const GPT_IMAGE_15_SIZES = ["1024x1024", "1536x1024", "1024x1536", "auto"] as const;
export const OUTPUT_FORMATS = ["png", "jpeg", "webp"] as const;
export const BACKGROUNDS = ["auto", "transparent", "opaque"] as const;
export const ASPECT_RATIOS = [
  "1:1",
  "2:3",
  "3:2",
  "3:4",
  "4:3",
  "4:5",
  "5:4",
  "9:16",
  "16:9",
  "21:9",
] as const;
export const RESOLUTIONS = ["1K", "2K", "4K"] as const;
export const MAX_PROMPT_LENGTH = 32_000;

/** One broken rule: the field (dotted path), what was expected, and the offending value. */
export interface FieldProblem {
  /** unknown: the model has no such input; missing: required but absent; invalid: present but wrong. */
  readonly kind: "unknown" | "missing" | "invalid";
  readonly field: string;
  readonly expected: string;
  readonly found: unknown;
}

const oneOf = (values: readonly string[]) => `one of ${values.join(", ")}`;
const choice = <const T extends readonly [string, ...string[]]>(values: T) =>
  z.enum(values, { error: oneOf(values) });

function isUrl(value: string, protocols: readonly string[]): boolean {
  try {
    return protocols.includes(new URL(value).protocol);
  } catch {
    return false;
  }
}
const httpUrl = z
  .string({ error: "an http(s) URL" })
  .refine((v) => isUrl(v, ["http:", "https:"]), { error: "an http(s) URL" });
const httpsUrl = z
  .string({ error: "an https URL" })
  .refine((v) => isUrl(v, ["https:"]), { error: "an https URL" });

const prompt = (min: number) =>
  z
    .string({ error: "text" })
    .min(min, { error: min === 1 ? "a non-empty prompt" : `a prompt of at least ${min} characters` })
    .max(MAX_PROMPT_LENGTH, { error: `a prompt of at most ${MAX_PROMPT_LENGTH} characters` });

const numImages = z
  .int({ error: "a whole number from 1 to 4" })
  .min(1, { error: "a whole number from 1 to 4" })
  .max(4, { error: "a whole number from 1 to 4" });

/** Explicit sizes: both sides multiples of 16, longest side ≤ 3840, ratio ≤ 3:1, 655,360–8,294,400 pixels. */
export function explicitSizeProblem(width: number, height: number): string | null {
  if (!Number.isInteger(width) || !Number.isInteger(height) || width <= 0 || height <= 0)
    return "positive whole numbers";
  if (width % 16 !== 0 || height % 16 !== 0) return "width and height that are multiples of 16";
  if (Math.max(width, height) > 3840) return "a longest side of at most 3840";
  if (Math.max(width, height) > 3 * Math.min(width, height)) return "an aspect ratio of at most 3:1";
  const pixels = width * height;
  if (pixels < 655_360 || pixels > 8_294_400) return "a total of 655,360 to 8,294,400 pixels";
  return null;
}

const explicitSize = z
  .strictObject({ width: z.number({ error: "a number" }), height: z.number({ error: "a number" }) })
  .superRefine((size, ctx) => {
    const problem = explicitSizeProblem(size.width, size.height);
    if (problem) ctx.addIssue({ code: "custom", message: problem });
  });

const imageSize = (presets: readonly string[]) =>
  z.union([z.enum(presets as [string, ...string[]]), explicitSize], {
    error: `${oneOf(presets)}, or {width, height}`,
  });

const gptImage2 = {
  prompt: prompt(1),
  num_images: numImages.optional(),
  quality: choice(QUALITIES).optional(),
  image_size: imageSize(IMAGE_SIZE_PRESETS).optional(),
  output_format: choice(OUTPUT_FORMATS).optional(),
  sync_mode: z.boolean({ error: "true or false" }).optional(),
};

export const MODEL_INPUT_SCHEMAS: Readonly<Record<ModelId, z.ZodType>> = {
  "openai/gpt-image-2": z.strictObject(gptImage2),
  "openai/gpt-image-2/edit": z.strictObject({
    ...gptImage2,
    image_urls: z
      .array(httpUrl, { error: "a list of http(s) URLs" })
      .min(1, { error: "at least one image URL" }),
    mask_url: httpUrl.optional(),
    image_size: imageSize([...IMAGE_SIZE_PRESETS, "auto"]).optional(),
  }),
  "openai/gpt-image-1.5": z.strictObject({
    prompt: prompt(2),
    quality: choice(QUALITIES).optional(),
    image_size: choice(GPT_IMAGE_15_SIZES).optional(),
    background: choice(BACKGROUNDS).optional(),
    num_images: numImages.optional(),
    output_format: choice(OUTPUT_FORMATS).optional(),
  }),
  "runflow/tag-removal": z.strictObject({
    image_url: httpUrl,
    config: z.strictObject({ aspect_ratio: z.string({ error: "text" }).optional() }).optional(),
  }),
  "runflow/product-isolation": z.strictObject({
    image_url: httpsUrl,
    aspect_ratio: choice(ASPECT_RATIOS),
    resolution: choice(RESOLUTIONS),
    prompt: prompt(1).optional(),
  }),
};

/**
 * The same rules as sufficient conditions (see input-fast-path.ts): true means the schema above
 * accepts the input, false means "ask the schema". Keep the two in step.
 */
const fastPrompt = (min: number): FastCheck => ({ kind: "text", min, max: MAX_PROMPT_LENGTH });
const fastNumImages: FastCheck = { kind: "int", min: 1, max: 4 };
const fastSize = (presets: readonly string[]): FastCheck => ({
  kind: "size",
  presets: new Set<unknown>(presets),
  sizeProblem: explicitSizeProblem,
});
const fastGptImage2 = {
  prompt: required(fastPrompt(1)),
  num_images: optional(fastNumImages),
  quality: optional(member(QUALITIES)),
  image_size: optional(fastSize(IMAGE_SIZE_PRESETS)),
  output_format: optional(member(OUTPUT_FORMATS)),
  sync_mode: optional({ kind: "boolean" }),
};
const fastHttpUrl: FastCheck = { kind: "url", https: false };

const FAST_SHAPES: Readonly<Record<ModelId, FastShape>> = {
  "openai/gpt-image-2": fastShape(fastGptImage2),
  "openai/gpt-image-2/edit": fastShape({
    ...fastGptImage2,
    image_urls: required({ kind: "list", item: fastHttpUrl, min: 1 }),
    mask_url: optional(fastHttpUrl),
    image_size: optional(fastSize([...IMAGE_SIZE_PRESETS, "auto"])),
  }),
  "openai/gpt-image-1.5": fastShape({
    prompt: required(fastPrompt(2)),
    quality: optional(member(QUALITIES)),
    image_size: optional(member(GPT_IMAGE_15_SIZES)),
    background: optional(member(BACKGROUNDS)),
    num_images: optional(fastNumImages),
    output_format: optional(member(OUTPUT_FORMATS)),
  }),
  "runflow/tag-removal": fastShape({
    image_url: required(fastHttpUrl),
    config: optional({
      kind: "object",
      shape: fastShape({ aspect_ratio: optional({ kind: "text", min: 0, max: Infinity }) }),
    }),
  }),
  "runflow/product-isolation": fastShape({
    image_url: required({ kind: "url", https: true }),
    aspect_ratio: required(member(ASPECT_RATIOS)),
    resolution: required(member(RESOLUTIONS)),
    prompt: optional(fastPrompt(1)),
  }),
};

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
