/**
 * Errors that stop a manifest from being read at all (exit 2): the file is missing or
 * unreadable, its CSV/JSON/JSONL syntax is broken, or its CSV header names unknown columns.
 * Row-level mistakes are not errors: they are Problems, collected and reported together.
 */
import { UsageError } from "../core/errors.js";

export class ManifestError extends UsageError {
  /** The manifest as the user named it. */
  readonly file: string;
  /** 1-based line of the trouble, when known. */
  readonly line: number | null;
  constructor(message: string, details: { file: string; line?: number | null; cause?: unknown }) {
    super(message, details.cause === undefined ? undefined : { cause: details.cause });
    this.file = details.file;
    this.line = details.line ?? null;
  }
}
