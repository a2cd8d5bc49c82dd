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
import { Liquid, type Template } from "liquidjs";
import { createContexts, directRenderer, plainRenderer } from "./liquid-fast.js";

/** A template's text is at most this long (parseLimit). */
const MAX_TEMPLATE_CHARS = 64 * 1024;
/** Blocks one render may render (each turn of a loop is one): a runaway loop is stopped, not run. */
const MAX_BLOCKS = 10_000;
/** Allocation units (array items, string lengths) one render may create. */
const MAX_MEMORY = 8_000_000;

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
function htmlToText(value: unknown): string {
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
  const contexts = createContexts(engine, MAX_MEMORY);
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
      const direct = directRenderer(contexts, parsed, full);
      return { source, globals: globalsOf(engine, parsed), render: plainRenderer(source, direct) ?? direct };
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
function parseFailure(error: unknown): string {
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

/** The names a template reads from the scope (`row`, `images`, `Title` …); null when unknown. */
function globalsOf(engine: Liquid, parsed: Template[]): readonly string[] | null {
  try {
    return engine.globalVariablesSync(parsed);
  } catch {
    return null;
  }
}

export interface CompiledTemplate {
  readonly source: string;
  /** The names it reads from the scope; null when they could not be told. */
  readonly globals: readonly string[] | null;
  readonly render: (scope: object) => string;
}
