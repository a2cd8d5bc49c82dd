/**
 * JSON manifests — an array of job objects, or `{"defaults": {…}, "jobs": […]}` — streamed with
 * stream-json: one job object is assembled at a time, so memory stays flat however many jobs
 * the file holds. Rows are located by their index in the array (0-based).
 *
 * stream-json does not report where a syntax error is; lineOfJsonError finds the line with a
 * second pass, on the error path only (tested in test/manifest/json-reader.test.ts).
 */
import Assembler from "stream-json/Assembler.js";
import Parser from "stream-json/Parser.js";
import { unknownNameHint } from "../columns.js";
import { ManifestError } from "../errors.js";
import { makeProblem } from "../problems.js";
import { drainInBatches } from "./drain.js";
import { createFingerprint, openManifestFile, openManifestText } from "./text.js";
import type { ReadRow, ReaderEvent } from "./types.js";

interface Token {
  readonly name: string;
  readonly value?: string;
}
type Callback = (error?: Error | null) => void;
interface ParserInternals {
  _done: boolean;
  _transformBuffer: (chunk: Buffer, encoding: string, callback: Callback) => void;
}

/** A stream-json parser that counts the chunks it has processed. */
function countingParser(): { parser: Parser; processed: () => number; ended: () => boolean } {
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

/**
 * stream-json does not say where a syntax error is. Only when it fails, read the file again and
 * feed the parser one line per chunk: the line being parsed when it fails is the error's line.
 */
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

type State = "root" | "root-object" | "defaults" | "jobs-start" | "jobs" | "end";

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
  const fail = (message: string) => new ManifestError(`${file}: ${message}`, { file });

  let state: State = "root";
  let depth = 0;
  let index = 0;
  let seenJobs = false;
  let assembler: Assembler | null = null;
  let rowsDepth = 1;
  try {
    for await (const tokens of drainInBatches<Token>(parser)) {
      const rows: ReadRow[] = [];
      const events: ReaderEvent[] = [];
      const undecodable = text.undecodable() ?? undefined;
      for (const token of tokens) {
        const name = token.name;
        if (name === "startObject" || name === "startArray") depth++;
        else if (name === "endObject" || name === "endArray") depth--;
        if (assembler) {
          assembler.consume(token);
          if (!assembler.done) continue;
          const value: unknown = assembler.current;
          assembler = null;
          if (state === "defaults") {
            events.push({ kind: "defaults", value });
            state = "root-object";
          } else if (Array.isArray(value)) {
            const location = { file, index: index++ };
            rows.push({
              location,
              fields: {},
              problem: makeProblem(
                location,
                "row",
                "a JSON object",
                value,
                `expected a job object such as {"model": "…", "prompt": "…"}, got an array`,
              ),
            });
          } else {
            const fields = value as Record<string, unknown>;
            rows.push({ location: { file, index: index++ }, fields, undecodable });
          }
          continue;
        }
        switch (state) {
          case "root":
            if (name === "startArray") state = "jobs";
            else if (name === "startObject") state = "root-object";
            else
              throw fail(
                'expected an array of jobs, or an object {"defaults": {…}, "jobs": […]}; got a single value',
              );
            break;
          case "root-object":
            if (name === "keyValue") {
              if (token.value === "defaults") {
                if (seenJobs)
                  throw fail(
                    '"defaults" must come before "jobs" (it applies to the rows as they stream by); move it up',
                  );
                state = "defaults";
              } else if (token.value === "jobs") {
                seenJobs = true;
                state = "jobs-start";
              } else {
                throw fail(
                  `${unknownNameHint(token.value ?? "", ["defaults", "jobs"], "top-level key")}; a JSON manifest is an array of jobs or {"defaults": {…}, "jobs": […]}`,
                );
              }
            } else if (name === "endObject" && depth === 0) {
              if (!seenJobs) throw fail('has no "jobs" array; expected {"defaults": {…}, "jobs": […]}');
              state = "end";
            }
            break;
          case "defaults":
            assembler = new Assembler();
            assembler.consume(token);
            if (assembler.done) {
              events.push({ kind: "defaults", value: assembler.current });
              assembler = null;
              state = "root-object";
            }
            break;
          case "jobs-start":
            if (name !== "startArray") throw fail('"jobs" must be an array of job objects');
            rowsDepth = depth;
            state = "jobs";
            break;
          case "jobs":
            if ((name === "endArray" || name === "endObject") && depth < rowsDepth) {
              state = depth === 0 ? "end" : "root-object";
            } else if (name === "startObject" || name === "startArray") {
              assembler = new Assembler();
              assembler.consume(token);
            } else {
              const location = { file, index: index++ };
              const found =
                name === "stringValue"
                  ? token.value
                  : name === "numberValue"
                    ? Number(token.value)
                    : name === "nullValue"
                      ? null
                      : name === "trueValue";
              rows.push({
                location,
                fields: {},
                problem: makeProblem(
                  location,
                  "row",
                  "a JSON object",
                  found,
                  `expected a job object such as {"model": "…", "prompt": "…"}, got ${JSON.stringify(found)}`,
                ),
              });
            }
            break;
          case "end":
            break;
        }
      }
      for (const event of events) yield event;
      if (rows.length > 0) yield { kind: "rows", rows };
    }
    yield { kind: "fingerprint", sha256: fingerprint.digest() };
  } catch (error) {
    if (error instanceof ManifestError) throw error;
    if (error instanceof Error && error.message.startsWith("Parser")) {
      const line = await lineOfJsonError(path, options.encoding).catch(() => null);
      const reason = error.message.replace(/^Parser (cannot parse input|has expected)[:]?\s*/, "");
      const where = line === null ? file : `${file} line ${line}`;
      const detail = ended()
        ? `the file ends before the JSON is complete (${reason}); check for a missing ] or }`
        : `malformed JSON: ${reason}; check for a missing comma, quote or bracket near there`;
      throw new ManifestError(`${where}: ${detail}.`, {
        file,
        line,
        field: "syntax",
        expected: "well-formed JSON",
        cause: error,
      });
    }
    throw error;
  }
}
