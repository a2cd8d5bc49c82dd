/**
 * JSONL manifests: one JSON object per line, read line by line (never the whole file), in any
 * encoding (readers/text.ts). Blank lines are skipped; a line that is not valid JSON, or is
 * absurdly long, is a problem of that line, and reading goes on with the next.
 */
import { makeProblem } from "../problems.js";
import { createFingerprint, openManifestFile, openManifestText } from "./text.js";
import type { Undecodable } from "../types.js";
import type { ReadRow, ReaderEvent } from "./types.js";

function parseLine(file: string, line: number, text: string): ReadRow {
  const location = { file, line };
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    const message =
      `not valid JSON (${reason}); each line must be one complete JSON object, ` +
      'such as {"id": "a1", "model": "openai/gpt-image-2", "prompt": "…"}';
    return {
      location,
      fields: {},
      problem: makeProblem(location, "row", "a JSON object on one line", text, message),
    };
  }
  if (value === null || typeof value !== "object" || Array.isArray(value)) {
    const problem = makeProblem(
      location,
      "row",
      "a JSON object",
      value,
      `expected a JSON object such as {"model": "…", "prompt": "…"}, got ${JSON.stringify(value)?.slice(0, 60)}`,
    );
    return { location, fields: {}, problem };
  }
  return { location, fields: value as Record<string, unknown> };
}

/** Rows read after bytes that are not UTF-8 went by carry what the file most likely is. */
function withVerdict(rows: ReadRow[], undecodable: Undecodable | null): ReadRow[] {
  return undecodable ? rows.map((row) => (row.problem ? row : { ...row, undecodable })) : rows;
}

/** No job needs a longer line; anything longer is a wrong file, and must not eat memory. */
const MAX_LINE_CHARS = 1024 * 1024;

function tooLong(file: string, line: number, text: string): ReadRow {
  const location = { file, line };
  const message =
    `line is longer than ${MAX_LINE_CHARS.toLocaleString("en-US")} characters: a JSONL file holds one job per line, ` +
    "and a prompt is at most 32,000 characters. Check the file really is JSONL (one JSON object per line)";
  return {
    location,
    fields: {},
    problem: makeProblem(location, "row", "a line of at most 1 MiB", text.slice(0, 100), message),
  };
}

export async function* readJsonl(
  path: string,
  file: string,
  options: { encoding?: string | undefined } = {},
): AsyncGenerator<ReaderEvent> {
  const bytes = await openManifestFile(path);
  const fingerprint = createFingerprint(bytes.size);
  const opened = await openManifestText(path, {
    encoding: options.encoding,
    text: true,
    file,
    opened: bytes,
    onBytes: (chunk) => fingerprint.update(chunk),
  });
  const source = opened.stream;
  let pending = "";
  let line = 0;
  let first = true;
  /** Inside an overlong line, already reported: drop text up to its end. */
  let skipping = false;
  try {
    for await (const chunk of source as AsyncIterable<string>) {
      const searchFrom = skipping ? 0 : pending.length; // the pending part holds no newline: do not scan it again
      let text = skipping ? chunk : pending + chunk;
      if (first) {
        if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
        first = false;
      }
      const rows: ReadRow[] = [];
      let start = 0;
      for (let end = text.indexOf("\n", searchFrom); end !== -1; end = text.indexOf("\n", start)) {
        line += 1;
        const content = skipping ? "" : text.slice(start, end).trim();
        skipping = false;
        if (content !== "") rows.push(parseLine(file, line, content));
        start = end + 1;
      }
      pending = skipping ? "" : text.slice(start);
      if (pending.length > MAX_LINE_CHARS) {
        rows.push(tooLong(file, line + 1, pending));
        pending = "";
        skipping = true;
      }
      if (rows.length > 0) yield { kind: "rows", rows: withVerdict(rows, opened.undecodable()) };
    }
    const last = pending.trim();
    if (last !== "")
      yield { kind: "rows", rows: withVerdict([parseLine(file, line + 1, last)], opened.undecodable()) };
    yield { kind: "fingerprint", sha256: fingerprint.digest() };
  } finally {
    source.destroy();
  }
}
