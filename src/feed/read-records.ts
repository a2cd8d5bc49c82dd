/**
 * A feed's records as read, in batches: CSV and TSV through the manifest's own CSV reader (its
 * delimiter detection, encodings, BOM, quoted multi-line cells, line numbers, ragged rows), JSON
 * and JSONL through its JSON readers, XML through xml.ts. A feed's columns are its own: the
 * header is checked only for names that are blank or repeated.
 *
 * The format: the recipe's `feed.format`, else `--input-format`, else the file's extension, else
 * its first line. The encoding: `--encoding`, else the recipe's, else an XML declaration's, else
 * UTF-8 (a BOM wins). The CSV separator: `--delimiter`, else the recipe's, else the header's.
 */
import { open } from "node:fs/promises";
import { extname } from "node:path";
import { parseDelimiter } from "../manifest/delimiter.js";
import { ManifestError } from "../manifest/errors.js";
import { readCsv } from "../manifest/readers/csv.js";
import { readJson } from "../manifest/readers/json.js";
import { readJsonl } from "../manifest/readers/jsonl.js";
import type { ReadRow } from "../manifest/readers/types.js";
import type { ManifestSource } from "../manifest/source.js";
import type { FeedFormat, Recipe } from "./recipe-schema.js";
import { readXml } from "./xml.js";

const EXTENSIONS: Readonly<Record<string, FeedFormat>> = {
  ".csv": "csv",
  ".txt": "csv",
  ".tsv": "tsv",
  ".tab": "tsv",
  ".json": "json",
  ".jsonl": "jsonl",
  ".ndjson": "jsonl",
  ".xml": "xml",
  ".rss": "xml",
  ".atom": "xml",
};

async function head(path: string, bytes = 512): Promise<string> {
  const handle = await open(path, "r");
  try {
    const buffer = Buffer.alloc(bytes);
    const { bytesRead } = await handle.read(buffer, 0, bytes, 0);
    return buffer.subarray(0, bytesRead).toString("latin1");
  } finally {
    await handle.close();
  }
}

/** The format from the first characters: `<` XML, `[` JSON, `{` JSONL, anything else CSV. */
function sniffFeedFormat(start: string): FeedFormat {
  const text = start.replace(/^(\uFEFF|\u00ef\u00bb\u00bf)/, "").trimStart();
  if (text.startsWith("<")) return "xml";
  if (text.startsWith("[")) return "json";
  if (text.startsWith("{")) return /^\{[^\n]*\}\s*(\n|$)/.test(text) ? "jsonl" : "json";
  return "csv";
}

export async function feedFormat(source: ManifestSource, recipe: Recipe): Promise<FeedFormat> {
  if (recipe.feed?.format) return recipe.feed.format;
  if (source.format) return source.format;
  return EXTENSIONS[extname(source.path).toLowerCase()] ?? sniffFeedFormat(await head(source.path));
}

/** `<?xml version="1.0" encoding="ISO-8859-1"?>` → `ISO-8859-1`. */
function xmlDeclaredEncoding(start: string): string | undefined {
  const match = /^\s*<\?xml[^>]*\bencoding\s*=\s*["']([A-Za-z0-9._-]+)["']/.exec(
    start.replace(/^\u00ef\u00bb\u00bf/, ""),
  );
  return match?.[1];
}

/** A feed's header: its own column names, only blank or repeated names are refused. */
function feedHeader(file: string, header: readonly string[], delimiter: string): string[] {
  const names = header.map((name) => name.trim());
  const seen = new Map<string, number>();
  names.forEach((name, i) => {
    if (name === "") return;
    const earlier = seen.get(name);
    if (earlier !== undefined) {
      throw new ManifestError(
        `${file} line 1: column \`${name}\` appears twice (columns ${earlier + 1} and ${i + 1}); ` +
          "rename one of them in the header, so templates can tell them apart.",
        { file, line: 1, field: "header", expected: "distinct column names", found: header.join(delimiter) },
      );
    }
    seen.set(name, i);
  });
  return names;
}

interface RecordBatches {
  readonly format: FeedFormat;
  readonly batches: AsyncGenerator<readonly ReadRow[]>;
}

async function* rowsOf(events: AsyncGenerator<{ kind: string; rows?: readonly ReadRow[] }>) {
  for await (const event of events) if (event.kind === "rows" && event.rows) yield event.rows;
}

export async function readRecords(source: ManifestSource, recipe: Recipe): Promise<RecordBatches> {
  const file = source.label ?? source.path;
  const format = await feedFormat(source, recipe);
  let encoding = source.encoding ?? recipe.feed?.encoding;
  if (format === "xml") {
    encoding ??= xmlDeclaredEncoding(await head(source.path));
    return { format, batches: readXml(source.path, file, { encoding, item: recipe.feed?.item }) };
  }
  if (format === "json") return { format, batches: rowsOf(readJson(source.path, file, { encoding })) };
  if (format === "jsonl") return { format, batches: rowsOf(readJsonl(source.path, file, { encoding })) };
  const given =
    source.delimiter ?? (recipe.feed?.delimiter ? parseDelimiter(recipe.feed.delimiter) : undefined);
  const delimiter = given ?? (format === "tsv" ? "\t" : undefined);
  const events = readCsv(source.path, file, {
    encoding,
    delimiter,
    worker: source.csvWorker,
    header: feedHeader,
  });
  return { format, batches: rowsOf(events) };
}
