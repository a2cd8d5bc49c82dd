/**
 * Problems as JSON for scripts (`estimate --format json` on an invalid manifest):
 * `{"problems": [{"file", "line" | "index", "field", "expected", "found", "message"}], "rows", "invalid_rows"}`.
 * A manifest that could not be read to its end lists the problems found before, then why it stopped. Pure.
 */
import type { ManifestError } from "./errors.js";
import type { Problem } from "./types.js";

interface ProblemJson {
  readonly file: string;
  readonly line?: number;
  readonly index?: number;
  readonly field: string;
  readonly expected: string;
  /** The value as found (JSON), null when there was none. */
  readonly found: unknown;
  readonly message: string;
}

export interface ProblemsJson {
  readonly problems: readonly ProblemJson[];
  readonly rows: number;
  readonly invalid_rows: number;
  /** Every problem found; `problems` holds the first of them. */
  readonly problem_count: number;
}

/** Problem.found is text (`"ultra"`, `nothing`, `"a long…`): back to a value where it is one. */
function foundValue(found: string): unknown {
  if (found === "nothing") return null;
  try {
    return JSON.parse(found) as unknown;
  } catch {
    return found;
  }
}

function problemJson(problem: Problem): ProblemJson {
  const where =
    "line" in problem.location ? { line: problem.location.line } : { index: problem.location.index };
  return {
    file: problem.location.file,
    ...where,
    field: problem.field,
    expected: problem.expected,
    found: foundValue(problem.found),
    message: problem.message,
  };
}

export interface ProblemSummary {
  readonly problems: readonly Problem[];
  readonly problemCount: number;
  readonly rows: number;
  readonly invalidRows: number;
}

/** A scan's problems (ManifestScan fits). */
export function problemsJson(scan: ProblemSummary): ProblemsJson {
  return {
    problems: scan.problems.map(problemJson),
    rows: scan.rows,
    invalid_rows: scan.invalidRows,
    problem_count: scan.problemCount,
  };
}

/** A manifest that stopped being read: the problems before, then the stop itself. */
export function manifestErrorJson(error: ManifestError): ProblemsJson {
  const stop: ProblemJson = {
    file: error.file,
    ...(error.line === null ? {} : { line: error.line }),
    field: error.field,
    expected: error.expected,
    found: error.found,
    message: error.headline,
  };
  const earlier = error.earlier;
  return {
    problems: [...earlier.problems.map(problemJson), stop],
    rows: earlier.rows,
    invalid_rows: earlier.invalidRows,
    problem_count: earlier.problemCount + 1,
  };
}
