/**
 * Cheap checks that answer "certainly valid" for the common shapes of a model input, so the zod
 * schemas in model-inputs.ts run only for inputs that may be wrong (where they word the
 * problems). Every check here is a *sufficient* condition: when it says true, the zod schema it
 * mirrors accepts the value too; when unsure it says false and zod decides. So the answer of
 * checkModelInput never depends on this file, only its speed (a million-row estimate spends a
 * third of its validation time in zod otherwise). model-inputs.test.ts compares both over many
 * generated inputs, valid and not. Pure.
 */

/** True only when the value is certainly valid. */
export type FastRule = (value: unknown) => boolean;

export interface FastField {
  readonly required: boolean;
  readonly rule: FastRule;
}

/** A plain object (what JSON.parse and object literals make); anything else goes to zod. */
function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (typeof value !== "object" || value === null) return false;
  const proto: unknown = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}

/**
 * A z.strictObject: only the listed keys, every required one present and defined. An optional
 * key holding `undefined` is accepted, as `.optional()` accepts it.
 */
export function strictObjectRule(fields: Readonly<Record<string, FastField>>): FastRule {
  const rules = new Map(Object.entries(fields));
  let requiredCount = 0;
  for (const field of rules.values()) if (field.required) requiredCount += 1;
  return (value) => {
    if (!isPlainObject(value)) return false;
    let required = 0;
    for (const key in value) {
      const field = rules.get(key);
      if (field === undefined) return false;
      const entry = value[key];
      if (entry === undefined) {
        if (field.required) return false;
        continue;
      }
      if (!field.rule(entry)) return false;
      if (field.required) required += 1;
    }
    return required === requiredCount;
  };
}

export const required = (rule: FastRule): FastField => ({ required: true, rule });
export const optional = (rule: FastRule): FastField => ({ required: false, rule });

/**
 * A z.string() with .min / .max on its length. zod counts code points; a code point is one or
 * two UTF-16 units, so at least 2 × min units certainly reach the floor and at most max units
 * certainly fit. Lengths in between go to zod.
 */
export const textRule =
  (min: number, max: number): FastRule =>
  (value) =>
    typeof value === "string" && value.length >= 2 * min && value.length <= max;

export function memberRule(values: readonly string[]): FastRule {
  const set = new Set<unknown>(values);
  return (value) => set.has(value);
}

/** A z.int() with .min / .max. */
export const wholeNumberRule =
  (min: number, max: number): FastRule =>
  (value) =>
    typeof value === "number" && Number.isInteger(value) && value >= min && value <= max;

/** A z.number(): finite (zod refuses NaN and ±Infinity). */
export const finiteNumberRule: FastRule = (value) => typeof value === "number" && Number.isFinite(value);

export const booleanRule: FastRule = (value) => typeof value === "boolean";

export const eitherRule =
  (first: FastRule, second: FastRule): FastRule =>
  (value) =>
    first(value) || second(value);

/** A z.array(item).min(min). */
export const listRule =
  (item: FastRule, min: number): FastRule =>
  (value) => {
    if (!Array.isArray(value) || value.length < min) return false;
    for (let i = 0; i < value.length; i++) if (!item(value[i])) return false;
    return true;
  };

/**
 * URLs that `new URL()` certainly parses with an http: or https: protocol: a host of plain ASCII
 * labels whose last label starts with a letter (so it is never read as an IPv4 address), no
 * `--` in the host (no punycode to decode), a port of at most 4 digits, then anything printable
 * (paths, queries and fragments never make the parser fail). Anything else: ask `new URL()`.
 */
const PLAIN_HTTP_URL = /^(https?):\/\/(?![^/?#]*--)(?:[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?\.)*[A-Za-z](?:[A-Za-z0-9-]*[A-Za-z0-9])?(?::\d{1,4})?(?:[/?#][\x21-\x7e]*)?$/;

export function urlRule(httpsOnly: boolean): FastRule {
  return (value) => {
    if (typeof value !== "string") return false;
    const match = PLAIN_HTTP_URL.exec(value);
    return match !== null && (!httpsOnly || match[1] === "https");
  };
}
