/**
 * Problems: one broken rule of one row, worded as the design asks —
 * `catalogue.csv line 12: quality must be one of low, medium, high, got "ultra"`. Pure.
 */
import type { Problem, ProblemCause, RowLocation, Undecodable } from "./types.js";

/** `catalogue.csv line 12` (CSV/JSONL) or `lookbook.json index 3` (JSON arrays, 0-based). */
export function formatLocation(location: RowLocation): string {
  return "line" in location
    ? `${location.file} line ${location.line}`
    : `${location.file} index ${location.index}`;
}

const MAX_FOUND_LENGTH = 80;

/** A found value as it reads in a message: strings quoted, long values shortened, absence named. */
export function describeFound(value: unknown): string {
  if (value === undefined) return "nothing";
  let text: string;
  try {
    text = JSON.stringify(value) ?? String(value);
  } catch {
    // Nested too deeply to print (String() would recurse just as deep).
    return "a value nested too deeply to show";
  }
  return text.length > MAX_FOUND_LENGTH ? `${text.slice(0, MAX_FOUND_LENGTH - 1)}…` : text;
}

export function makeProblem(
  location: RowLocation,
  field: string,
  expected: string,
  found: unknown,
  message?: string,
): Problem {
  const foundText = describeFound(found);
  return {
    location,
    field,
    expected,
    found: foundText,
    message: `${formatLocation(location)}: ${message ?? `${field} must be ${expected}, got ${foundText}`}`,
  };
}

/** The `expected` of a value holding bytes that are not UTF-8. */
const UTF8_TEXT = "UTF-8 text";

/** The cause and its fix, from what the reader saw of the bytes (`undecodable`), if it saw them. */
function undecodableCause(undecodable: Undecodable | undefined): ProblemCause {
  const what = "bytes that are not valid UTF-8 (shown as \uFFFD)";
  if (undecodable?.guess === "windows-1252")
    return {
      what,
      advice:
        "They are valid Windows-1252 (what Excel on Windows saves): " +
        "read the file with --encoding windows-1252, or save it as UTF-8.",
    };
  return {
    what,
    advice:
      "The file is probably in another encoding: name it with --encoding (e.g. --encoding windows-1252 for " +
      "Excel on Windows, latin1, utf-16le), or save the manifest as UTF-8.",
  };
}

/** A value holding bytes that are not UTF-8: one problem per row, said once for all (formatProblems). */
export function undecodableProblem(
  location: RowLocation,
  field: string,
  value: unknown,
  undecodable?: Undecodable,
): Problem {
  const cause = undecodableCause(undecodable);
  const message = `${field} has ${cause.what}. ${cause.advice}`;
  return { ...makeProblem(location, field, UTF8_TEXT, value, message), cause };
}

const DEFAULT_PROBLEM_LIMIT = 20;

const count = (n: number) => n.toLocaleString("en-US");

/** Where: `lines 2, 3, 4, 5, 6 and 635 more` or `indexes 0, 1`; `and more` when some were not kept. */
function whereList(locations: readonly RowLocation[], more: boolean): string {
  const shown = locations.slice(0, 5).map((l) => ("line" in l ? l.line : l.index));
  const noun = "line" in (locations[0] as RowLocation) ? "line" : "index";
  const plural = locations.length === 1 && !more ? noun : noun === "line" ? "lines" : "indexes";
  const rest = locations.length - shown.length;
  const tail = more ? " and more" : rest > 0 ? ` and ${count(rest)} more` : "";
  return `${plural} ${shown.join(", ")}${tail}`;
}

/**
 * Problems that share a cause, as one line: the cause, how many rows and which, the first, the
 * fix. `more`: the list kept only the first problems, so there may be more rows of this cause.
 */
function causeLine(cause: ProblemCause, problems: readonly Problem[], more: boolean): string {
  const byFile = new Map<string, RowLocation[]>();
  for (const { location } of problems) {
    const locations = byFile.get(location.file) ?? [];
    locations.push(location);
    byFile.set(location.file, locations);
  }
  const first = problems[0] as Problem;
  const parts = [...byFile].map(([file, locations]) => {
    const n = locations.length;
    const rows = `${more ? "at least " : ""}${count(n)} row${n === 1 ? "" : "s"}`;
    const at = formatLocation(first.location).slice(file.length + 1);
    const example = file === first.location.file ? ` (first: ${first.field} on ${at}, ${first.found})` : "";
    return `${file}: ${cause.what} in ${rows}, on ${whereList(locations, more)}${example}`;
  });
  return `${parts.join("; ")}. ${cause.advice}`;
}

/**
 * One line per problem, at most `limit` of them, then `… and N more problems`. `total` is the
 * number of problems there really were, when the caller kept only some of them in memory.
 */
export function formatProblems(
  problems: readonly Problem[],
  limit = DEFAULT_PROBLEM_LIMIT,
  total = problems.length,
): string {
  // Problems of one shared cause (a file in another encoding) are said once, first.
  const causes = new Map<string, { cause: ProblemCause; problems: Problem[] }>();
  const single: Problem[] = [];
  for (const problem of problems) {
    if (!problem.cause) {
      single.push(problem);
      continue;
    }
    const key = `${problem.cause.what}\u0000${problem.cause.advice}`;
    const group = causes.get(key) ?? { cause: problem.cause, problems: [] };
    group.problems.push(problem);
    causes.set(key, group);
  }
  const truncated = total > problems.length;
  const lines = [...causes.values()].map((group) => causeLine(group.cause, group.problems, truncated));
  const shown = single.slice(0, Math.max(0, limit - lines.length));
  lines.push(...shown.map((problem) => problem.message));
  const more = Math.max(total, problems.length) - (problems.length - single.length) - shown.length;
  if (more > 0) lines.push(`… and ${more} more problem${more === 1 ? "" : "s"}`);
  return lines.join("\n");
}
