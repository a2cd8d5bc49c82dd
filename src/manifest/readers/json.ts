/**
 * JSON manifests — an array of job objects, or `{"defaults": {…}, "jobs": […]}` — streamed with
 * stream-json: one job object is assembled at a time, so memory stays flat however many jobs
 * the file holds. Rows are located by their index in the array (0-based).
 *
 * stream-json does not report where a syntax error is. We count the newlines fed to its parser
 * and subtract those still in its unparsed buffer when it fails; that gives the line (tested in
 * json-reader.test.ts, so a change in stream-json's internals shows up as a failing test).
 */
import { createReadStream } from "node:fs";
import Assembler from "stream-json/Assembler.js";
import Parser from "stream-json/Parser.js";
import { unknownNameHint } from "../columns.js";
import { ManifestError } from "../errors.js";
import { makeProblem } from "../problems.js";
import { drainInBatches } from "./drain.js";
import type { ReadRow, ReaderEvent } from "./types.js";

interface Token {
  readonly name: string;
  readonly value?: string;
}
type Callback = (error?: Error | null) => void;
interface ParserInternals {
  _buffer: string;
  _done: boolean;
  _transformBuffer: (chunk: Buffer, encoding: string, callback: Callback) => void;
}

function countNewlines(chunk: Buffer | string): number {
  let count = 0;
  if (typeof chunk === "string") {
    for (let at = chunk.indexOf("\n"); at !== -1; at = chunk.indexOf("\n", at + 1)) count++;
  } else {
    for (let at = chunk.indexOf(10); at !== -1; at = chunk.indexOf(10, at + 1)) count++;
  }
  return count;
}

/** A stream-json parser that knows how many lines it has been fed. */
function lineCountingParser(): { parser: Parser; lineOfError: () => number | null; ended: () => boolean } {
  const parser = new Parser({ streamValues: false });
  const internals = parser as unknown as ParserInternals;
  let fed = 0;
  const original = internals._transformBuffer;
  if (typeof original === "function") {
    internals._transformBuffer = (chunk, encoding, callback) => {
      fed += countNewlines(chunk);
      original.call(parser, chunk, encoding, callback);
    };
  }
  return {
    parser,
    lineOfError: () => (typeof internals._buffer === "string" && typeof original === "function" ? fed - countNewlines(internals._buffer) + 1 : null),
    ended: () => internals._done === true,
  };
}

type State = "root" | "root-object" | "defaults" | "jobs-start" | "jobs" | "end";

export async function* readJson(path: string, file: string): AsyncGenerator<ReaderEvent> {
  const { parser, lineOfError, ended } = lineCountingParser();
  const source = createReadStream(path);
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
          } else {
            rows.push({ location: { file, index: index++ }, fields: value as Record<string, unknown> });
          }
          continue;
        }
        switch (state) {
          case "root":
            if (name === "startArray") state = "jobs";
            else if (name === "startObject") state = "root-object";
            else throw fail('expected an array of jobs, or an object {"defaults": {…}, "jobs": […]}; got a single value');
            break;
          case "root-object":
            if (name === "keyValue") {
              if (token.value === "defaults") {
                if (seenJobs) throw fail('"defaults" must come before "jobs" (it applies to the rows as they stream by); move it up');
                state = "defaults";
              } else if (token.value === "jobs") {
                seenJobs = true;
                state = "jobs-start";
              } else {
                throw fail(`${unknownNameHint(token.value ?? "", ["defaults", "jobs"], "top-level key")}; a JSON manifest is an array of jobs or {"defaults": {…}, "jobs": […]}`);
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
              const found = name === "stringValue" ? token.value : name === "numberValue" ? Number(token.value) : name === "nullValue" ? null : name === "trueValue";
              rows.push({ location, fields: {}, problem: makeProblem(location, "row", "a JSON object", found, `expected a job object such as {"model": "…", "prompt": "…"}, got ${JSON.stringify(found)}`) });
            }
            break;
          case "end":
            break;
        }
      }
      for (const event of events) yield event;
      if (rows.length > 0) yield { kind: "rows", rows };
    }
  } catch (error) {
    if (error instanceof ManifestError) throw error;
    if (error instanceof Error && error.message.startsWith("Parser")) {
      const line = lineOfError();
      const reason = error.message.replace(/^Parser (cannot parse input|has expected)[:]?\s*/, "");
      const where = line === null ? file : `${file} line ${line}`;
      const detail = ended() ? `the file ends before the JSON is complete (${reason}); check for a missing ] or }` : `malformed JSON: ${reason}; check for a missing comma, quote or bracket near there`;
      throw new ManifestError(`${where}: ${detail}.`, { file, line, cause: error });
    }
    throw error;
  }
}
