/**
 * The kinds of rule a model input is made of (model-inputs.ts lists each model's fields with
 * them). Each builder makes one rule's two forms together: the zod schema, which decides and words
 * the problems, and its fast check (input-fast-path.ts), a sufficient condition for the common
 * shapes. So a model's rules are written once; neither form is kept by hand beside the other.
 * model-inputs.test.ts checks over many generated inputs that a fast "valid" is never one zod
 * rejects. Pure.
 */
import { z } from "zod";
import { fastShape, type FastCheck, type FastShape } from "./input-fast-path.js";

/** One field's rule: required unless made `optional`. */
interface InputRule {
  readonly schema: z.ZodType;
  readonly check: FastCheck;
  readonly required: boolean;
}

/** A strict object of fields (a model's input, or an object inside one). */
export interface ObjectRule extends InputRule {
  readonly shape: FastShape;
}

const rule = (schema: z.ZodType, check: FastCheck): InputRule => ({ schema, check, required: true });

const oneOfText = (values: readonly string[]) => `one of ${values.join(", ")}`;

export function optional(of: InputRule): InputRule {
  return { schema: of.schema.optional(), check: of.check, required: false };
}

/** A string of `min` to `max` characters (code points, as zod counts them). */
export function text(o: { min?: number; max?: number; error: string; minError?: string; maxError?: string }) {
  let schema = z.string({ error: o.error });
  if (o.min !== undefined) schema = schema.min(o.min, { error: o.minError ?? o.error });
  if (o.max !== undefined) schema = schema.max(o.max, { error: o.maxError ?? o.error });
  return rule(schema, { kind: "text", min: o.min ?? 0, max: o.max ?? Infinity });
}

/** A whole number from `min` to `max`. */
export function integer(min: number, max: number, error: string): InputRule {
  return rule(z.int({ error }).min(min, { error }).max(max, { error }), { kind: "int", min, max });
}

export function oneOf(values: readonly [string, ...string[]]): InputRule {
  return rule(z.enum(values, { error: oneOfText(values) }), { kind: "member", values: new Set(values) });
}

export function boolean(error: string): InputRule {
  return rule(z.boolean({ error }), { kind: "boolean" });
}

function isUrl(value: string, protocols: readonly string[]): boolean {
  try {
    return protocols.includes(new URL(value).protocol);
  } catch {
    return false;
  }
}

/** A URL that `new URL()` parses, with an http(s): protocol, or https: only. */
export function url(o: { https: boolean }): InputRule {
  const error = o.https ? "an https URL" : "an http(s) URL";
  const protocols = o.https ? ["https:"] : ["http:", "https:"];
  const schema = z.string({ error }).refine((v) => isUrl(v, protocols), { error });
  return rule(schema, { kind: "url", https: o.https });
}

/** A list of at least `min` items of one rule. */
export function list(item: InputRule, o: { min: number; error: string; minError: string }): InputRule {
  const schema = z.array(item.schema, { error: o.error }).min(o.min, { error: o.minError });
  return rule(schema, { kind: "list", item: item.check, min: o.min });
}

/** Explicit sizes: both sides multiples of 16, longest side ≤ 3840, ratio ≤ 3:1, 655,360–8,294,400 pixels. */
function explicitSizeProblem(width: number, height: number): string | null {
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

/** One of the presets, or {width, height} within explicitSizeProblem's limits. */
export function imageSize(presets: readonly [string, ...string[]]): InputRule {
  const schema = z.union([z.enum(presets), explicitSize], {
    error: `${oneOfText(presets)}, or {width, height}`,
  });
  return rule(schema, { kind: "size", presets: new Set(presets), sizeProblem: explicitSizeProblem });
}

/** A strict object: only these fields, the required ones present. */
export function object(fields: Readonly<Record<string, InputRule>>): ObjectRule {
  const entries = Object.entries(fields);
  const schema = z.strictObject(Object.fromEntries(entries.map(([key, field]) => [key, field.schema])));
  const shape = fastShape(
    Object.fromEntries(
      entries.map(([key, field]) => [key, { required: field.required, check: field.check }]),
    ),
  );
  return { schema, check: { kind: "object", shape }, required: true, shape };
}
