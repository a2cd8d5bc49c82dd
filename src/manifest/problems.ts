/**
 * Problems: one broken rule of one row, worded as the design asks —
 * `catalogue.csv line 12: quality must be one of low, medium, high, got "ultra"`. Pure.
 */
import type { Problem, RowLocation } from "./types.js";

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

export const DEFAULT_PROBLEM_LIMIT = 20;

/**
 * One line per problem, at most `limit` of them, then `… and N more problems`. `total` is the
 * number of problems there really were, when the caller kept only some of them in memory.
 */
export function formatProblems(
  problems: readonly Problem[],
  limit = DEFAULT_PROBLEM_LIMIT,
  total = problems.length,
): string {
  const shown = problems.slice(0, Math.max(0, limit));
  const lines = shown.map((problem) => problem.message);
  const more = Math.max(total, problems.length) - shown.length;
  if (more > 0) lines.push(`… and ${more} more problem${more === 1 ? "" : "s"}`);
  return lines.join("\n");
}
