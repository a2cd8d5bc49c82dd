/**
 * The shape of a JSON manifest, walked token by token (stream-json): an array of jobs, or
 * `{"defaults": {…}, "jobs": […]}`. One job object is assembled at a time; each becomes a row
 * located by its index (0-based), anything else in the array a problem of that index, and a
 * wrong shape the manifest's error.
 */
import Assembler from "stream-json/Assembler.js";
import { unknownNameHint } from "../columns.js";
import { ManifestError } from "../errors.js";
import { makeProblem } from "../problems.js";
import type { Undecodable } from "../types.js";
import type { ReadRow, ReaderEvent } from "./types.js";

export interface Token {
  readonly name: string;
  readonly value?: string;
}

type State = "root" | "root-object" | "defaults" | "jobs-start" | "jobs" | "end";

const SHAPE = '{"defaults": {…}, "jobs": […]}';

/** What the walk found in one batch of tokens. */
export interface Walked {
  readonly rows: ReadRow[];
  readonly events: ReaderEvent[];
}

/** A value of the jobs array that is not a job object, as the problem of its index. */
function notAnObject(file: string, index: number, found: unknown, got: string): ReadRow {
  const location = { file, index };
  const message = `expected a job object such as {"model": "…", "prompt": "…"}, got ${got}`;
  return { location, fields: {}, problem: makeProblem(location, "row", "a JSON object", found, message) };
}

function scalarOf(token: Token): unknown {
  if (token.name === "stringValue") return token.value;
  if (token.name === "numberValue") return Number(token.value);
  return token.name === "nullValue" ? null : token.name === "trueValue";
}

interface Walk {
  readonly file: string;
  state: State;
  depth: number;
  index: number;
  seenJobs: boolean;
  assembler: Assembler | null;
  rowsDepth: number;
}

const fail = (w: Walk, message: string) => new ManifestError(`${w.file}: ${message}`, { file: w.file });

/** A value assembled: the defaults, or the next job. */
function assembled(w: Walk, value: unknown, out: Walked, undecodable: Undecodable | undefined): void {
  if (w.state === "defaults") {
    out.events.push({ kind: "defaults", value });
    w.state = "root-object";
  } else if (Array.isArray(value)) out.rows.push(notAnObject(w.file, w.index++, value, "an array"));
  else {
    const fields = value as Record<string, unknown>;
    out.rows.push({ location: { file: w.file, index: w.index++ }, fields, undecodable });
  }
}

function rootKey(w: Walk, token: Token): void {
  if (token.value === "defaults") {
    if (w.seenJobs)
      throw fail(
        w,
        '"defaults" must come before "jobs" (it applies to the rows as they stream by); move it up',
      );
    w.state = "defaults";
  } else if (token.value === "jobs") {
    w.seenJobs = true;
    w.state = "jobs-start";
  } else {
    const hint = unknownNameHint(token.value ?? "", ["defaults", "jobs"], "top-level key");
    throw fail(w, `${hint}; a JSON manifest is an array of jobs or ${SHAPE}`);
  }
}

/** A token outside an assembled value: it moves the walk through the document's shape. */
function step(w: Walk, token: Token, out: Walked): void {
  const name = token.name;
  switch (w.state) {
    case "root":
      if (name === "startArray") w.state = "jobs";
      else if (name === "startObject") w.state = "root-object";
      else throw fail(w, `expected an array of jobs, or an object ${SHAPE}; got a single value`);
      break;
    case "root-object":
      if (name === "keyValue") rootKey(w, token);
      else if (name === "endObject" && w.depth === 0) {
        if (!w.seenJobs) throw fail(w, `has no "jobs" array; expected ${SHAPE}`);
        w.state = "end";
      }
      break;
    case "defaults":
      w.assembler = new Assembler();
      w.assembler.consume(token);
      if (w.assembler.done) {
        out.events.push({ kind: "defaults", value: w.assembler.current });
        w.assembler = null;
        w.state = "root-object";
      }
      break;
    case "jobs-start":
      if (name !== "startArray") throw fail(w, '"jobs" must be an array of job objects');
      w.rowsDepth = w.depth;
      w.state = "jobs";
      break;
    case "jobs":
      if ((name === "endArray" || name === "endObject") && w.depth < w.rowsDepth) {
        w.state = w.depth === 0 ? "end" : "root-object";
      } else if (name === "startObject" || name === "startArray") {
        w.assembler = new Assembler();
        w.assembler.consume(token);
      } else {
        const found = scalarOf(token);
        out.rows.push(notAnObject(w.file, w.index++, found, JSON.stringify(found)));
      }
      break;
    case "end":
      break;
  }
}

export function createJsonWalker(file: string) {
  const w: Walk = { file, state: "root", depth: 0, index: 0, seenJobs: false, assembler: null, rowsDepth: 1 };
  return {
    /** Walks a batch of tokens; rows carry `undecodable` when bytes that are not UTF-8 went by. */
    walk(tokens: readonly Token[], undecodable: Undecodable | undefined): Walked {
      const out: Walked = { rows: [], events: [] };
      for (const token of tokens) {
        const name = token.name;
        if (name === "startObject" || name === "startArray") w.depth++;
        else if (name === "endObject" || name === "endArray") w.depth--;
        if (w.assembler) {
          w.assembler.consume(token);
          if (!w.assembler.done) continue;
          const value: unknown = w.assembler.current;
          w.assembler = null;
          assembled(w, value, out, undecodable);
          continue;
        }
        step(w, token, out);
      }
      return out;
    },
  };
}
