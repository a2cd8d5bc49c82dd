/**
 * XML product feeds — Google Merchant Center's RSS 2.0 (`<item>` with `g:` elements) and Atom
 * 1.0 (`<entry>`) — streamed with saxes: one item is assembled at a time, so memory stays flat
 * however many the feed holds. An item's fields are its child elements by their local name
 * (`<g:image_link>` → `image_link`, the same name as the TSV column, so one recipe serves both);
 * an element in another namespace keeps its prefix (`media:content`). Nested elements
 * (`<g:shipping>`) become objects, a repeated element a list, `<link href="…"/>` its href.
 * Each item is located by the line its start tag is on.
 */
import type { SaxesParser, SaxesTagNS } from "saxes";
import { ManifestError } from "../manifest/errors.js";
import { makeProblem } from "../manifest/problems.js";
import type { ReadRow } from "../manifest/readers/types.js";
import { openManifestText } from "../manifest/readers/text.js";

const PLAIN_NAMESPACES = new Set([
  "",
  "http://base.google.com/ns/1.0",
  "http://www.w3.org/2005/Atom",
  "http://purl.org/rss/1.0/",
]);
/** Text one item may hold: more is a wrong file, and must not eat memory. */
const MAX_ITEM_CHARS = 1024 * 1024;

interface Open {
  readonly key: string;
  readonly href: string | null;
  text: string;
  children: Record<string, unknown> | null;
}

function keyOf(tag: SaxesTagNS): string {
  return PLAIN_NAMESPACES.has(tag.uri) || tag.prefix === "" ? tag.local : `${tag.prefix}:${tag.local}`;
}

function put(target: Record<string, unknown>, key: string, value: unknown): void {
  if (!Object.hasOwn(target, key)) target[key] = value;
  else {
    const earlier = target[key];
    target[key] = Array.isArray(earlier) ? [...(earlier as unknown[]), value] : [earlier, value];
  }
}

function hrefOf(tag: SaxesTagNS): string | null {
  const attribute = tag.attributes.href ?? tag.attributes.url;
  return attribute ? attribute.value : null;
}

type Parser = SaxesParser<{ xmlns: true; position: true }>;

/**
 * Listens to the parser for item elements: each becomes a row of its child elements (nested
 * ones as objects, repeated ones as lists, a link's href as its value) on the line it starts, or
 * a problem when it holds more text than MAX_ITEM_CHARS. `take` hands over the rows so far.
 */
function collectItems(parser: Parser, file: string, isItem: (tag: SaxesTagNS) => boolean) {
  let rows: ReadRow[] = [];
  let stack: Open[] | null = null;
  let itemLine = 0;
  let itemChars = 0;
  let items = 0;
  let tooBig = false;

  parser.on("opentag", (tag) => {
    if (stack === null) {
      if (!isItem(tag)) return;
      stack = [];
      itemLine = parser.line;
      itemChars = 0;
      tooBig = false;
    }
    stack.push({ key: keyOf(tag), href: hrefOf(tag), text: "", children: null });
  });
  const onText = (text: string) => {
    if (stack === null || stack.length === 0 || tooBig) return;
    itemChars += text.length;
    if (itemChars > MAX_ITEM_CHARS) tooBig = true;
    else (stack[stack.length - 1] as Open).text += text;
  };
  parser.on("text", onText);
  parser.on("cdata", onText);
  parser.on("closetag", () => {
    if (stack === null) return;
    const done = stack.pop() as Open;
    const value = done.children ?? (done.text.trim() === "" && done.href ? done.href : done.text.trim());
    const parent = stack[stack.length - 1];
    if (parent) {
      put((parent.children ??= {}), done.key, value);
      return;
    }
    stack = null;
    items += 1;
    const location = { file, line: itemLine };
    if (tooBig) {
      const message =
        `the item holds more than ${MAX_ITEM_CHARS.toLocaleString("en-US")} characters of text; ` +
        "check the file is a product feed";
      rows.push({
        location,
        fields: {},
        problem: makeProblem(location, "row", "an item of at most 1 MiB", "", message),
      });
    } else rows.push({ location, fields: done.children ?? {} });
  });

  return {
    take(): ReadRow[] {
      const taken = rows;
      rows = [];
      return taken;
    },
    items: () => items,
  };
}

/** saxes, loaded only when an XML feed is read. */
const loadSaxes = () => import("saxes");

/** Rows of an XML feed, in batches; `item` names the element that is one product (default item or entry). */
export async function* readXml(
  path: string,
  file: string,
  options: { encoding?: string | undefined; item?: string | undefined } = {},
): AsyncGenerator<ReadRow[]> {
  const { SaxesParser: Saxes } = await loadSaxes();
  const parser: Parser = new Saxes({ xmlns: true, position: true });
  const wanted = options.item;
  const isItem = (tag: SaxesTagNS) =>
    wanted === undefined
      ? tag.local === "item" || tag.local === "entry"
      : tag.name === wanted || tag.local === wanted;
  const found = collectItems(parser, file, isItem);

  const { stream } = await openManifestText(path, { encoding: options.encoding, text: true, file });
  try {
    for await (const chunk of stream as AsyncIterable<string>) {
      try {
        parser.write(chunk);
      } catch (error) {
        throw xmlError(file, parser.line, error);
      }
      const rows = found.take();
      if (rows.length > 0) yield rows;
    }
    try {
      parser.close();
    } catch (error) {
      throw xmlError(file, parser.line, error);
    }
    const rows = found.take();
    if (rows.length > 0) yield rows;
  } finally {
    stream.destroy();
  }
  if (found.items() === 0) {
    const element = wanted ?? "item (RSS) or entry (Atom)";
    throw new ManifestError(
      `${file} holds no ${element} elements: a Merchant Center XML feed has one <item> per product; ` +
        "set feed.item in the recipe to the element that is one product.",
      { file, field: "feed.item", expected: `<${element}> elements` },
    );
  }
}

function xmlError(file: string, line: number, error: unknown): ManifestError {
  const reason = (error instanceof Error ? error.message : String(error))
    .replace(/^(?:[^:\n]*:)?\d+:\d+: /, "")
    .replace(/\.$/, "");
  return new ManifestError(`${file} line ${line}: malformed XML: ${reason}.`, {
    file,
    line,
    field: "syntax",
    expected: "well-formed XML",
    cause: error,
  });
}
