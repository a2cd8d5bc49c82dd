/**
 * One thing wrong with a schedule file, naming the file (as the user named it), the field, what
 * was expected and what was found, in a sentence that starts with the file.
 */
import { describeFound } from "../manifest/problems.js";

export interface ScheduleProblem {
  /** The file as the user named it (DIR/x.schedule.yaml). */
  readonly file: string;
  /** The field, or `file` for the file as a whole. */
  readonly field: string;
  readonly expected: string;
  readonly found: string;
  /** `jobs/nightly.schedule.yaml: cron must be …, got "…"` */
  readonly message: string;
}

export function problem(
  file: string,
  field: string,
  expected: string,
  found: unknown,
  message?: string,
): ScheduleProblem {
  const foundText = typeof found === "string" && message !== undefined ? found : describeFound(found);
  return {
    file,
    field,
    expected,
    found: foundText,
    message: `${file}: ${message ?? `${field} must be ${expected}, got ${foundText}`}`,
  };
}
