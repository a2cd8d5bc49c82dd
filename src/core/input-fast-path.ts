/**
 * Cheap checks that answer "certainly valid" for the common shapes of a model input, so the zod
 * schemas in model-inputs.ts run only for inputs that may be wrong (where they word the
 * problems). Every check here is a *sufficient* condition: when it says true, the zod schema it
 * comes with accepts the value too; when unsure it says false and zod decides. So the answer of
 * checkModelInput never depends on this file, only its speed (zod was a third of a million-row
 * estimate's validation time). The checks are never written by hand beside the schemas: each
 * rule builder of input-rules.ts makes a schema and its check together. model-inputs.test.ts
 * compares both over many generated inputs, valid and not. Rules are data checked by one
 * function (no closure per rule): this runs once per field of every row. Pure.
 */

export type FastCheck =
  /** z.string() with .min / .max (zod counts code points: see `passes`). */
  | { readonly kind: "text"; readonly min: number; readonly max: number }
  /** z.enum(values). */
  | { readonly kind: "member"; readonly values: ReadonlySet<unknown> }
  /** z.int() with .min / .max. */
  | { readonly kind: "int"; readonly min: number; readonly max: number }
  /** z.number(): finite. */
  | { readonly kind: "number" }
  | { readonly kind: "boolean" }
  /** A string that `new URL()` parses with an http(s): protocol (https: only, if `https`). */
  | { readonly kind: "url"; readonly https: boolean }
  /** z.array(item).min(min). */
  | { readonly kind: "list"; readonly item: FastCheck; readonly min: number }
  /** One of the presets, or an exact {width, height} object that `sizeProblem` accepts. */
  | {
      readonly kind: "size";
      readonly presets: ReadonlySet<unknown>;
      readonly sizeProblem: (width: number, height: number) => string | null;
    }
  /** z.strictObject(shape). */
  | { readonly kind: "object"; readonly shape: FastShape };

export interface FastField {
  readonly required: boolean;
  readonly check: FastCheck;
}

export interface FastShape {
  readonly fields: ReadonlyMap<string, FastField>;
  readonly requiredCount: number;
}

/** Every check as an object of one shape, so `passes` reads its properties monomorphically. */
function uniform(check: FastCheck): FastCheck {
  const blank = {
    kind: "",
    min: 0,
    max: 0,
    values: null,
    https: false,
    item: null,
    presets: null,
    sizeProblem: null,
    shape: null,
  };
  const result = Object.assign(blank, check) as FastCheck;
  if (result.kind === "list") return Object.assign(result, { item: uniform(result.item) });
  return result;
}

export function fastShape(fields: Readonly<Record<string, FastField>>): FastShape {
  const map = new Map(
    Object.entries(fields).map(([key, field]) => [
      key,
      { required: field.required, check: uniform(field.check) },
    ]),
  );
  let requiredCount = 0;
  for (const field of map.values()) if (field.required) requiredCount += 1;
  return { fields: map, requiredCount };
}

/** A plain object (what JSON.parse and object literals make); anything else goes to zod. */
function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (typeof value !== "object" || value === null) return false;
  const proto: unknown = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}

/**
 * Only the shape's keys, every required one present and defined. An optional key holding
 * `undefined` is accepted, as `.optional()` accepts it.
 */
export function passesShape(shape: FastShape, value: unknown): boolean {
  if (!isPlainObject(value)) return false;
  let required = 0;
  for (const key in value) {
    const field = shape.fields.get(key);
    if (field === undefined) return false;
    const entry = value[key];
    if (entry === undefined) {
      if (field.required) return false;
      continue;
    }
    if (!passes(field.check, entry)) return false;
    if (field.required) required += 1;
  }
  return required === shape.requiredCount;
}

function passesSize(check: Extract<FastCheck, { kind: "size" }>, value: unknown): boolean {
  if (typeof value === "string") return check.presets.has(value);
  if (!isPlainObject(value)) return false;
  let keys = 0;
  for (const key in value) {
    if (key !== "width" && key !== "height") return false;
    keys += 1;
  }
  const { width, height } = value;
  return (
    keys === 2 &&
    typeof width === "number" &&
    typeof height === "number" &&
    check.sizeProblem(width, height) === null
  );
}

function passes(check: FastCheck, value: unknown): boolean {
  switch (check.kind) {
    case "text":
      // A code point is one or two UTF-16 units: at least 2 × min units certainly reach the
      // floor, at most max units certainly fit. Lengths in between go to zod.
      return typeof value === "string" && value.length >= 2 * check.min && value.length <= check.max;
    case "member":
      return check.values.has(value);
    case "int":
      return typeof value === "number" && Number.isInteger(value) && value >= check.min && value <= check.max;
    case "number":
      return typeof value === "number" && Number.isFinite(value);
    case "boolean":
      return typeof value === "boolean";
    case "url": {
      if (typeof value !== "string") return false;
      const protocol = plainHttpUrl(value);
      return check.https ? protocol === "https" : protocol !== null;
    }
    case "list":
      if (!Array.isArray(value) || value.length < check.min) return false;
      for (let i = 0; i < value.length; i++) if (!passes(check.item, value[i])) return false;
      return true;
    case "size":
      return passesSize(check, value);
    case "object":
      return passesShape(check.shape, value);
  }
}

const isAlphanumeric = (code: number) =>
  (code >= 48 && code <= 57) || ((code | 32) >= 97 && (code | 32) <= 122);

/**
 * "http"/"https" for URLs that `new URL()` certainly parses: `http(s)://`, a host of plain ASCII
 * labels (letters, digits, inner single hyphens: no punycode to decode) whose last label starts
 * with a letter (so it is never read as an IPv4 address), an optional port of 1–4 digits, then
 * nothing or `/`, `?` or `#` and printable ASCII (paths, queries and fragments never make the
 * parser fail). Null means "not sure": ask `new URL()`.
 */
export function plainHttpUrl(text: string): "http" | "https" | null {
  const https = text.startsWith("https://");
  if (!https && !text.startsWith("http://")) return null;
  let i = https ? 8 : 7;
  let label = i;
  for (; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (isAlphanumeric(code)) continue;
    if (code === 45 /* - */) {
      if (i === label || text.charCodeAt(i - 1) === 45) return null;
    } else if (code === 46 /* . */) {
      if (i === label || text.charCodeAt(i - 1) === 45) return null;
      label = i + 1;
    } else break;
  }
  if (i === label || text.charCodeAt(i - 1) === 45) return null;
  const first = text.charCodeAt(label) | 32;
  if (first < 97 || first > 122) return null;
  if (text.charCodeAt(i) === 58 /* : */) {
    const start = ++i;
    while (i < text.length && i - start < 5 && text.charCodeAt(i) >= 48 && text.charCodeAt(i) <= 57) i++;
    if (i === start || i - start > 4) return null;
  }
  if (i < text.length) {
    const next = text.charCodeAt(i);
    if (next !== 47 /* / */ && next !== 63 /* ? */ && next !== 35 /* # */) return null;
    for (; i < text.length; i++) {
      const code = text.charCodeAt(i);
      if (code < 0x21 || code > 0x7e) return null;
    }
  }
  return https ? "https" : "http";
}
