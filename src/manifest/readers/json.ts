/**
 * JSON manifests — an array of job objects, or `{"defaults": {…}, "jobs": […]}` — streamed with
 * stream-json: one job object is assembled at a time, so memory stays flat however many jobs
 * the file holds. Rows are located by their index in the array (0-based).
 *
 * The document's shape is walked in json-walker.ts; stream-json does not report where a syntax
 * error is, so json-syntax.ts finds the line with a second pass, on the error path only.
 */
import { ManifestError } from "../errors.js";
import { drainInBatches } from "./drain.js";
import { countingParser, isParserError, jsonSyntaxError } from "./json-syntax.js";
import { createJsonWalker, type Token } from "./json-walker.js";
import { createFingerprint, openManifestFile, openManifestText } from "./text.js";
import type { ReaderEvent } from "./types.js";

export async function* readJson(
  path: string,
  file: string,
  options: { encoding?: string | undefined } = {},
): AsyncGenerator<ReaderEvent> {
  const { parser, ended } = countingParser();
  const bytes = await openManifestFile(path);
  const fingerprint = createFingerprint(bytes.size);
  const text = await openManifestText(path, {
    encoding: options.encoding,
    file,
    opened: bytes,
    onBytes: (chunk) => fingerprint.update(chunk),
  });
  const source = text.stream;
  source.on("error", (error) => parser.destroy(error));
  source.pipe(parser);
  const walker = createJsonWalker(file);
  try {
    for await (const tokens of drainInBatches<Token>(parser)) {
      const { rows, events } = walker.walk(tokens, text.undecodable() ?? undefined);
      for (const event of events) yield event;
      if (rows.length > 0) yield { kind: "rows", rows };
    }
    yield { kind: "fingerprint", sha256: fingerprint.digest() };
  } catch (error) {
    if (error instanceof ManifestError) throw error;
    if (isParserError(error)) throw await jsonSyntaxError(error, path, file, options.encoding, ended());
    throw error;
  }
}
