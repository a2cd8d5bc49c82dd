/**
 * Liquid as recipes use it: liquidjs (Shopify's template language) with its standard filters,
 * set up for templates that are untrusted input. Variables must exist (a misspelt column is an
 * error, not an empty prompt), lookups see only a row's own properties (`{{ constructor }}` and
 * `{{ row.__proto__ }}` find nothing), unknown filters are refused, nothing is read from files
 * (`include`, `render` and `layout` are refused when the recipe is read), and each render is
 * bounded: the template's size, the blocks it renders (each turn of a loop is one) and the
 * memory it allocates. Rendering is synchronous: templates here never wait for I/O.
 * One departure from Shopify: an empty string is false in `{% if %}` (a feed's empty cell is no
 * value), so `{% if row.color %}` works alike for a CSV's empty cell and an XML item's missing field.
 */
import { Context, IfTag, isTruthy, Liquid, Output, toValue, type Template, type Value } from "liquidjs";

/** A template's text is at most this long (parseLimit). */
export const MAX_TEMPLATE_CHARS = 64 * 1024;
/** Blocks one render may render (each turn of a loop is one): a runaway loop is stopped, not run. */
export const MAX_BLOCKS = 10_000;
/** Allocation units (array items, string lengths) one render may create. */
export const MAX_MEMORY = 8_000_000;

const REFUSED_TAGS: Readonly<Record<string, string>> = {
  include: "reads another template file",
  render: "reads another template file",
  layout: "reads another template file",
};

export class TemplateRefused extends Error {}

class TooMuchWork extends Error {
  constructor() {
    super(`more than ${MAX_BLOCKS.toLocaleString("en-US")} blocks rendered (loop turns) limit exceeded`);
  }
}

function refusedTag(name: string, why: string) {
  return {
    parse() {
      throw new TemplateRefused(
        `{% ${name} %} is not allowed in a recipe (it ${why}); write the text into the template itself`,
      );
    },
    render() {
      return "";
    },
  };
}

/**
 * Shopify's HTML cells as one line of plain text for a prompt: tags out, common entities decoded,
 * whitespace collapsed, and paragraphs, list items and line breaks ended with a full stop.
 */
export function htmlToText(value: unknown): string {
  const text = String(value ?? "");
  return text
    .replace(/\s+/g, " ")
    .replace(/<(script|style)\b[^>]*>[\s\S]*?<\/\1\s*>/gi, " ")
    .replace(/<br\s*\/?>|<\/(p|div|li|h[1-6]|tr)>/gi, "\n")
    .replace(/<[^>]*>/g, "")
    .replace(/&(nbsp|amp|lt|gt|quot|#39|apos|#(\d+)|#x([0-9a-f]+));/gi, (whole, name: string, dec, hex) => {
      if (dec !== undefined) return String.fromCodePoint(Number(dec));
      if (hex !== undefined) return String.fromCodePoint(parseInt(hex as string, 16));
      const map: Record<string, string> = {
        nbsp: " ",
        amp: "&",
        lt: "<",
        gt: ">",
        quot: '"',
        "#39": "'",
        apos: "'",
      };
      return map[name.toLowerCase()] ?? whole;
    })
    .split(/\n/)
    .map((part) => part.replace(/[\s\u00a0]+/g, " ").trim())
    .filter((part) => part !== "")
    .map((part, i, parts) => (i < parts.length - 1 && !/[.!?:;,]$/.test(part) ? `${part}.` : part))
    .join(" ");
}

type RenderTemplates = (templates: unknown, ctx: unknown, emitter?: unknown) => Generator<unknown>;

/**
 * Counts the blocks a render renders: liquidjs renders every block (a loop's body, each turn)
 * through its renderer's renderTemplates, so one counter bounds every loop, nested or not,
 * deterministically. Reset before each render (rendering is synchronous).
 */
function countBlocks(engine: Liquid): { reset: () => void } {
  const renderer = engine.renderer as unknown as { renderTemplates: RenderTemplates };
  const original = renderer.renderTemplates.bind(renderer);
  let blocks = 0;
  // Not a generator itself: it hands back liquidjs's own, so counting costs one call per block.
  renderer.renderTemplates = (templates, ctx, emitter) => {
    blocks += 1;
    if (blocks > MAX_BLOCKS) throw new TooMuchWork();
    return original(templates, ctx, emitter);
  };
  return {
    reset: () => {
      blocks = 0;
    },
  };
}

export interface SafeLiquid {
  readonly engine: Liquid;
  /** Parses `source` once; throws TemplateRefused with parseFailure's wording when it cannot be used. */
  compile(source: string): CompiledTemplate;
}

/** A fresh engine: one per compiled recipe (engines keep no state between renders). */
export function createLiquid(): SafeLiquid {
  const engine = new Liquid({
    strictVariables: true,
    strictFilters: true,
    ownPropertyOnly: true,
    lenientIf: true,
    // An empty cell is "no value": false in {% if row.color %}, as a field an item leaves out.
    jsTruthy: true,
    templates: {},
    relativeReference: false,
    dynamicPartials: false,
    cache: false,
    parseLimit: MAX_TEMPLATE_CHARS,
    memoryLimit: MAX_MEMORY,
  });
  for (const [name, why] of Object.entries(REFUSED_TAGS)) engine.registerTag(name, refusedTag(name, why));
  engine.registerFilter("html_to_text", htmlToText);
  const counter = countBlocks(engine);
  // No time limit: the block count and the memory bound every render deterministically, and a
  // clock read per block would cost more than the rest of a plain template's render.
  const options = { memoryLimit: MAX_MEMORY };
  return {
    engine,
    compile(source) {
      let parsed: Template[];
      try {
        parsed = engine.parse(source);
      } catch (error) {
        throw new TemplateRefused(parseFailure(error), { cause: error });
      }
      const full = (scope: object) => {
        counter.reset();
        return String(engine.renderSync(parsed, scope, options));
      };
      const direct = directRenderer(engine, parsed, full);
      return { source, render: plainRenderer(source, direct) ?? direct };
    },
  };
}

/** ` (line 2 of the template)`, from a liquidjs message's `line:2, col:4`. */
function templateLine(message: string): { text: string; line: number | null } {
  const match = /,\s*line:(\d+),\s*col:\d+\s*$/.exec(message);
  return match
    ? { text: message.slice(0, match.index), line: Number(match[1]) }
    : { text: message, line: null };
}

/** Why a template cannot be used, worded for the recipe's author. */
export function parseFailure(error: unknown): string {
  const cause = (error as { originalError?: unknown }).originalError;
  if (cause instanceof TemplateRefused) return cause.message;
  const message = error instanceof Error ? error.message : String(error);
  const { text, line } = templateLine(message);
  const where = line !== null && line > 1 ? ` (line ${line} of the template)` : "";
  if (/^undefined filter: /.test(text))
    return `${text.replace(/^undefined filter: /, "unknown filter ")}${where}; see the Liquid filters in the README`;
  if (/parse length limit exceeded/.test(text))
    return `the template is longer than ${MAX_TEMPLATE_CHARS.toLocaleString("en-US")} characters`;
  return `not a valid Liquid template: ${text}${where}`;
}

export type RenderFailure =
  | { readonly kind: "missing"; readonly variable: string }
  | { readonly kind: "limit"; readonly reason: string }
  | { readonly kind: "error"; readonly reason: string };

/** What went wrong in a render: a variable the row lacks, a limit, or another error. */
export function renderFailure(error: unknown): RenderFailure {
  const message = error instanceof Error ? error.message : String(error);
  const { text } = templateLine(message);
  const missing = /^undefined variable: (.+)$/.exec(text);
  if (missing) return { kind: "missing", variable: missing[1] ?? "" };
  if (/limit exceeded/.test(text)) return { kind: "limit", reason: text };
  return { kind: "error", reason: text };
}

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
function directRenderer(engine: Liquid, parsed: Template[], full: (scope: object) => string) {
  const parts = partsOf(parsed);
  if (parts === null) return full;
  return (scope: object): string => {
    try {
      const ctx = new Context(
        scope,
        engine.options,
        { sync: true, memoryLimit: MAX_MEMORY },
        { liquid: engine, renderLimit: NO_TIME_LIMIT },
      );
      return join(parts, ctx);
    } catch {
      return full(scope);
    }
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
function plainRenderer(source: string, full: (scope: object) => string): ((scope: object) => string) | null {
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

export interface CompiledTemplate {
  readonly source: string;
  readonly render: (scope: object) => string;
}
