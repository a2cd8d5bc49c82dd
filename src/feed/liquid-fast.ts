/**
 * Rendering without liquidjs's generator machinery, for the templates nearly every recipe has:
 * plain ones (text and `{{ row.x }}`) by direct lookups of own properties, and text, outputs with
 * filters and `{% if %}` node by node with liquidjs's own values, filters, truthiness and memory
 * limit. Anything else — and any error, any lookup that misses — goes to liquidjs's full render,
 * so results and errors are exactly liquidjs's. Several times faster on a feed's hot path.
 */
import { Context, IfTag, isTruthy, Output, toValue, type Liquid, type Template, type Value } from "liquidjs";

/** liquidjs's output of a value (its `stringify`): text as is, nil empty, lists joined. */
function stringify(given: unknown): string {
  const value = toValue(given);
  if (typeof value === "string") return value;
  if (value === null || value === undefined) return "";
  if (Array.isArray(value)) return value.map(stringify).join("");
  return String(value);
}

class NotDirect extends Error {}

type Limits = NonNullable<ConstructorParameters<typeof Context>[3]>;
/** No clock read per render: the direct path renders no loops, so it needs no time limit. */
const NO_TIME_LIMIT = { check: () => undefined } as unknown as NonNullable<Limits["renderLimit"]>;

type Part = (ctx: Context) => string;

function syncValue(value: Value, ctx: Context, lenient: boolean): unknown {
  const result = value.value(ctx, lenient);
  const then = (result as { then?: unknown } | null)?.then;
  const next = (result as { next?: unknown } | null)?.next;
  if (typeof then === "function" || typeof next === "function") throw new NotDirect();
  return toValue(result);
}

/** Text, outputs (with their filters) and `{% if %}` over them, evaluated without liquidjs's generators. */
function partsOf(templates: readonly Template[]): Part[] | null {
  const parts: Part[] = [];
  for (const node of templates) {
    if (node instanceof Output) {
      const value = node.value;
      parts.push((ctx) => stringify(syncValue(value, ctx, false)));
    } else if (node instanceof IfTag) {
      const branches = node.branches.map((branch) => ({
        value: branch.value,
        body: partsOf(branch.templates),
      }));
      const otherwise = partsOf(node.elseTemplates ?? []);
      if (otherwise === null || branches.some((branch) => branch.body === null)) return null;
      parts.push((ctx) => {
        for (const branch of branches)
          if (isTruthy(syncValue(branch.value, ctx, ctx.opts.lenientIf), ctx))
            return join(branch.body as Part[], ctx);
        return join(otherwise, ctx);
      });
    } else if (node.constructor.name === "HTML" && typeof (node as { str?: unknown }).str === "string") {
      const text = (node as unknown as { str: string }).str;
      parts.push(() => text);
    } else return null;
  }
  return parts;
}

function join(parts: readonly Part[], ctx: Context): string {
  let out = "";
  for (const part of parts) out += part(ctx);
  return out;
}

/**
 * Templates made of text, outputs and `{% if %}` — nearly every prompt — evaluated node by node
 * with liquidjs's own values, filters, truthiness and memory limit, but without its generator
 * machinery (several times faster). Any error, or anything else (loops, assign, capture …),
 * goes to liquidjs's full render (`full`), so results and errors are liquidjs's exactly.
 */
export function directRenderer(
  contexts: Contexts,
  parsed: Template[],
  full: (scope: object) => string,
): (scope: object) => string {
  const parts = partsOf(parsed);
  if (parts === null) return full;
  return (scope: object): string => {
    try {
      return join(parts, contexts.of(scope));
    } catch {
      return full(scope);
    }
  };
}

/**
 * One liquidjs Context per unit, shared by the templates that render it one after another (the
 * direct path only reads from it: `assign` and `capture` go to the full render): the memory
 * limit then bounds the unit's renders together.
 */
export interface Contexts {
  of(scope: object): Context;
}

export function createContexts(engine: Liquid, memoryLimit: number): Contexts {
  let lastScope: object | null = null;
  let lastContext: Context | null = null;
  return {
    of(scope) {
      if (scope === lastScope && lastContext) return lastContext;
      lastScope = scope;
      lastContext = new Context(
        scope,
        engine.options,
        { sync: true, memoryLimit },
        { liquid: engine, renderLimit: NO_TIME_LIMIT },
      );
      return lastContext;
    },
  };
}

/** `row.title`, `row["Variant SKU"]`, `images[0]`: a path of own properties, nothing else. */
const PATH = /^\s*([A-Za-z_][\w-]*)((?:\.[A-Za-z_][\w-]*|\[\s*(?:"[^"]*"|'[^']*'|\d+)\s*\])*)\s*$/;
const STEP = /\.([A-Za-z_][\w-]*)|\[\s*(?:"([^"]*)"|'([^']*)'|(\d+))\s*\]/g;

function pathOf(expression: string): string[] | null {
  const match = PATH.exec(expression);
  if (!match) return null;
  const steps = [match[1] as string];
  for (const step of (match[2] ?? "").matchAll(STEP))
    steps.push(step[1] ?? step[2] ?? step[3] ?? step[4] ?? "");
  return steps;
}

/**
 * Most templates are text with plain outputs (`{{ row.id }}`, `{{ row["Image Src"] }}`): those
 * render here by direct lookups of own properties, without a liquidjs render per field. Anything
 * else — a lookup that misses, a value that is not text or a number — is rendered by liquidjs
 * (`full`), so results and errors are exactly liquidjs's. Null when the template is not plain.
 */
export function plainRenderer(
  source: string,
  full: (scope: object) => string,
): ((scope: object) => string) | null {
  if (source.includes("{%")) return null;
  const texts: string[] = [];
  const paths: string[][] = [];
  let at = 0;
  for (const match of source.matchAll(/\{\{-?([\s\S]*?)-?\}\}/g)) {
    const path = pathOf(match[1] ?? "");
    if (path === null || match[0].startsWith("{{-") || match[0].endsWith("-}}")) return null;
    texts.push(source.slice(at, match.index));
    paths.push(path);
    at = match.index + match[0].length;
  }
  const tail = source.slice(at);
  if (tail.includes("{{") || texts.some((text) => text.includes("{{") || text.includes("}}"))) return null;
  return (scope) => {
    let out = texts[0] ?? "";
    for (let i = 0; i < paths.length; i++) {
      let value: unknown = scope;
      for (const key of paths[i] as string[]) {
        if (value === null || typeof value !== "object" || !Object.hasOwn(value, key)) return full(scope);
        value = (value as Record<string, unknown>)[key];
      }
      if (typeof value === "string") out += value;
      else if (typeof value === "number" && Number.isFinite(value)) out += String(value);
      else return full(scope);
      out += i + 1 < paths.length ? (texts[i + 1] ?? "") : tail;
    }
    return paths.length === 0 ? source : out;
  };
}
