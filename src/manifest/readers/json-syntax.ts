/**
 * A JSON manifest that is not well-formed JSON, located and worded. stream-json does not say where
 * a syntax error is: only when it fails, the file is read again and fed to a parser one line per
 * chunk; the line being parsed when it fails is the error's line.
 */
import Parser from "stream-json/Parser.js";
import { ManifestError } from "../errors.js";
import { openManifestText } from "./text.js";

type Callback = (error?: Error | null) => void;
interface ParserInternals {
  _done: boolean;
  _transformBuffer: (chunk: Buffer, encoding: string, callback: Callback) => void;
}

/** A stream-json parser that counts the chunks it has processed. */
export function countingParser(): { parser: Parser; processed: () => number; ended: () => boolean } {
  const parser = new Parser({ streamValues: false });
  const internals = parser as unknown as ParserInternals;
  let chunks = 0;
  const original = internals._transformBuffer;
  // stream-json 1.x internals; without them we still parse, only error lines are lost.
  if (typeof original === "function") {
    internals._transformBuffer = (chunk, encoding, callback) => {
      chunks += 1;
      original.call(parser, chunk, encoding, callback);
    };
  }
  return { parser, processed: () => chunks, ended: () => internals._done === true };
}

/** The line of the file's first syntax error, or null. */
async function lineOfJsonError(path: string, encoding?: string): Promise<number | null> {
  const { parser, processed } = countingParser();
  parser.resume();
  const outcome = new Promise<number | null>((resolve) => {
    parser.on("error", () => resolve(processed() > 0 ? processed() : null));
    parser.on("end", () => resolve(null));
  });
  const { stream: source } = await openManifestText(path, { encoding, text: true });
  let pending = "";
  try {
    for await (const chunk of source as AsyncIterable<string>) {
      let data = pending + chunk;
      for (let at = data.indexOf("\n"); at !== -1; at = data.indexOf("\n")) {
        if (parser.destroyed) return await outcome;
        if (!parser.write(data.slice(0, at + 1)))
          await new Promise((resolve) => parser.once("drain", resolve).once("error", resolve));
        data = data.slice(at + 1);
      }
      pending = data;
    }
    if (!parser.destroyed) parser.end(pending);
    return await outcome;
  } finally {
    source.destroy();
  }
}

/** stream-json's own error: the file is not well-formed JSON. */
export const isParserError = (error: unknown): error is Error =>
  error instanceof Error && error.message.startsWith("Parser");

/** The manifest's error for stream-json's syntax error: its line, and a cut-short file told apart. */
export async function jsonSyntaxError(
  error: Error,
  path: string,
  file: string,
  encoding: string | undefined,
  ended: boolean,
): Promise<ManifestError> {
  const line = await lineOfJsonError(path, encoding).catch(() => null);
  const reason = error.message.replace(/^Parser (cannot parse input|has expected)[:]?\s*/, "");
  const where = line === null ? file : `${file} line ${line}`;
  const detail = ended
    ? `the file ends before the JSON is complete (${reason}); check for a missing ] or }`
    : `malformed JSON: ${reason}; check for a missing comma, quote or bracket near there`;
  return new ManifestError(`${where}: ${detail}.`, {
    file,
    line,
    field: "syntax",
    expected: "well-formed JSON",
    cause: error,
  });
}
