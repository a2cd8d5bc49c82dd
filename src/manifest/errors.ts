/**
 * Errors that stop a manifest from being read at all (exit 2): the file is missing or
 * unreadable, its JSON syntax is broken, or its CSV header names unknown columns.
 * Row-level mistakes are not errors: they are Problems, collected and reported together.
 */
import { UsageError } from "../core/errors.js";
import type { Problem } from "./types.js";

export interface ManifestErrorDetails {
  readonly file: string;
  readonly line?: number | null;
  /** What the trouble is about (`header`, `row`, `file`…), for the JSON problem list. */
  readonly field?: string;
  readonly expected?: string;
  readonly found?: string;
  /** When the message lists earlier problems too: the stop's own sentence. */
  readonly headline?: string;
  readonly cause?: unknown;
}

export class ManifestError extends UsageError {
  /** The manifest as the user named it. */
  readonly file: string;
  /** 1-based line of the trouble, when known. */
  readonly line: number | null;
  readonly field: string;
  readonly expected: string;
  readonly found: string | null;
  /** The message without the problems found before (the whole message lists them too). */
  readonly headline: string;
  /**
   * Row problems found before reading stopped (the first ones, all counted in `problemCount`),
   * and the rows read by then: set by the manifest stream, so nothing found is lost.
   */
  readonly earlier: {
    readonly problems: readonly Problem[];
    readonly problemCount: number;
    readonly rows: number;
    readonly invalidRows: number;
  };
  constructor(message: string, details: ManifestErrorDetails, earlier?: ManifestError["earlier"]) {
    super(message, details.cause === undefined ? undefined : { cause: details.cause });
    this.file = details.file;
    this.line = details.line ?? null;
    this.field = details.field ?? "file";
    this.expected = details.expected ?? "a readable manifest";
    this.found = details.found ?? null;
    this.headline = details.headline ?? message;
    this.earlier = earlier ?? { problems: [], problemCount: 0, rows: 0, invalidRows: 0 };
  }
}
