/**
 * JSONL manifests: one JSON object per line, read line by line (never the whole file). Blank
 * lines are skipped; a line that is not valid JSON stops the manifest with its line number.
 */
import { createReadStream } from "node:fs";
import { ManifestError } from "../errors.js";
import { makeProblem } from "../problems.js";
import type { ReadRow, ReaderEvent } from "./types.js";

function parseLine(file: string, line: number, text: string): ReadRow {
  const location = { file, line };
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw new ManifestError(
      `${file} line ${line}: not valid JSON (${reason}). Each line must be one complete JSON object, such as {"id": "a1", "model": "openai/gpt-image-2", "prompt": "…"}.`,
      { file, line, cause: error },
    );
  }
  if (value === null || typeof value !== "object" || Array.isArray(value)) {
    const problem = makeProblem(location, "row", "a JSON object", value, `expected a JSON object such as {"model": "…", "prompt": "…"}, got ${JSON.stringify(value)?.slice(0, 60)}`);
    return { location, fields: {}, problem };
  }
  return { location, fields: value as Record<string, unknown> };
}

/** No job needs a longer line; anything longer is a wrong file, and must not eat memory. */
export const MAX_LINE_CHARS = 1024 * 1024;

export async function* readJsonl(path: string, file: string): AsyncGenerator<ReaderEvent> {
  const source = createReadStream(path, { encoding: "utf8" });
  let pending = "";
  let line = 0;
  let first = true;
  try {
    for await (const chunk of source as AsyncIterable<string>) {
      const searchFrom = pending.length; // the pending part holds no newline: do not scan it again
      let text = pending + chunk;
      if (first) {
        if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
        first = false;
      }
      const rows: ReadRow[] = [];
      let start = 0;
      for (let end = text.indexOf("\n", searchFrom); end !== -1; end = text.indexOf("\n", start)) {
        line += 1;
        const content = text.slice(start, end).trim();
        if (content !== "") rows.push(parseLine(file, line, content));
        start = end + 1;
      }
      pending = text.slice(start);
      if (pending.length > MAX_LINE_CHARS) {
        throw new ManifestError(
          `${file} line ${line + 1} is longer than ${MAX_LINE_CHARS.toLocaleString("en-US")} characters: a JSONL file holds one job per line, and a prompt is at most 32,000 characters. Check the file really is JSONL (one JSON object per line).`,
          { file, line: line + 1 },
        );
      }
      if (rows.length > 0) yield { kind: "rows", rows };
    }
    const last = pending.trim();
    if (last !== "") yield { kind: "rows", rows: [parseLine(file, line + 1, last)] };
  } finally {
    source.destroy();
  }
}
