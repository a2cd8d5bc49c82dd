/**
 * Streaming a manifest: pick the reader by extension (or `format`), check the file can be read,
 * validate each row as it streams by. Memory stays flat: rows are never collected.
 */
import { stat } from "node:fs/promises";
import { extname } from "node:path";
import { NO_DEFAULTS, parseManifestDefaults, withFlagDefaults } from "./defaults.js";
import { ManifestError } from "./errors.js";
import { readCsv } from "./readers/csv.js";
import { readJson } from "./readers/json.js";
import { readJsonl } from "./readers/jsonl.js";
import type { ReaderEvent } from "./readers/types.js";
import { formatProblems } from "./problems.js";
import { createRowValidator } from "./validate.js";
import type { ManifestDefaults, ManifestFormat, ManifestItem, ManifestReading, Problem } from "./types.js";

export interface StreamOptions extends ManifestReading {
  /** Overrides the format the extension implies. */
  readonly format?: ManifestFormat | undefined;
  /** `--model` / `--quality`: fill rows that leave them empty (see defaults.ts for precedence). */
  readonly defaults?: ManifestDefaults | undefined;
  /** CSV: parse in a worker thread (default: for files of 4 MB or more; see readers/csv.ts). */
  readonly csvWorker?: boolean | undefined;
}

export const MANIFEST_FORMATS: readonly ManifestFormat[] = ["csv", "json", "jsonl"];
const EXTENSIONS: Readonly<Record<string, ManifestFormat>> = {
  ".csv": "csv",
  ".json": "json",
  ".jsonl": "jsonl",
  ".ndjson": "jsonl",
};

/** The format named by the option, else by the file's extension. */
export function detectFormat(path: string, format?: ManifestFormat, file = path): ManifestFormat {
  if (format !== undefined) return format;
  const detected = EXTENSIONS[extname(path).toLowerCase()];
  if (detected) return detected;
  throw new ManifestError(
    `${file}: cannot tell the manifest format from the extension "${extname(path)}"; ` +
      "name the file .csv, .json or .jsonl, or pass --input-format csv|json|jsonl.",
    {
      file,
      field: "format",
      expected: "a .csv, .json or .jsonl file, or --input-format",
      found: extname(path),
    },
  );
}

/** Throws a ManifestError that says what to do when the file cannot be read. */
export async function checkReadable(path: string, file = path): Promise<void> {
  try {
    const info = await stat(path);
    if (info.isDirectory())
      throw new ManifestError(`${file} is a directory; pass the manifest file inside it.`, { file });
  } catch (error) {
    if (error instanceof ManifestError) throw error;
    const code = (error as NodeJS.ErrnoException).code;
    const reason =
      code === "ENOENT"
        ? "no such file; check the path (it is relative to the current directory)"
        : code === "EACCES"
          ? "permission denied; check the file's permissions"
          : `cannot be read (${code ?? String(error)})`;
    throw new ManifestError(`${file}: ${reason}.`, { file, cause: error });
  }
}

function readerFor(
  format: ManifestFormat,
  path: string,
  options: StreamOptions,
): AsyncGenerator<ReaderEvent> {
  const file = options.label ?? path;
  const text = { encoding: options.encoding };
  if (format === "csv")
    return readCsv(path, file, { ...text, worker: options.csvWorker, delimiter: options.delimiter });
  if (format === "jsonl") return readJsonl(path, file, text);
  return readJson(path, file, text);
}

/** What was found before reading stopped, so the error can report it too. */
interface Found {
  problems: Problem[];
  problemCount: number;
  rows: number;
  invalidRows: number;
}

/** Problems kept with a stopping error: enough to show, all counted. */
const KEPT_PROBLEMS = 1000;

function readFailure(file: string, error: unknown, found: Found): unknown {
  let failure = error;
  const code = (error as NodeJS.ErrnoException | null)?.code;
  if (!(error instanceof ManifestError) && typeof code === "string" && code.startsWith("E")) {
    failure = new ManifestError(`${file}: cannot be read (${code}).`, { file, cause: error });
  }
  if (!(failure instanceof ManifestError) || found.problemCount === 0) return failure;
  // Reading stopped after rows with problems: one error that lists them all, the stop last.
  const earlier = formatProblems(found.problems, undefined, found.problemCount);
  const plural = found.problemCount === 1 ? "" : "s";
  return new ManifestError(
    `${failure.message}\nBefore that, ${found.invalidRows} of ${found.rows} rows were invalid ` +
      `(${found.problemCount} problem${plural}):\n${earlier}`,
    {
      file: failure.file,
      line: failure.line,
      field: failure.field,
      expected: failure.expected,
      ...(failure.found === null ? {} : { found: failure.found }),
      headline: failure.headline,
      cause: failure.cause,
    },
    {
      problems: found.problems,
      problemCount: found.problemCount,
      rows: found.rows,
      invalidRows: found.invalidRows,
    },
  );
}

/** What a pass learns about the file besides its rows. */
export interface ReadingObserver {
  /** The CSV separator in use (given, or read from the header). */
  readonly onDelimiter?: (delimiter: string) => void;
  /** SHA-256 of the file's bytes, taken as they were read (null when they were not read once through). */
  readonly onFingerprint?: (sha256: string | null) => void;
}

/**
 * Validated items in batches, in file order. The engine under streamManifest and scanManifest:
 * batching keeps the per-row overhead of async iteration out of the hot path.
 */
export async function* streamManifestBatches(
  path: string,
  options: StreamOptions = {},
  observer: ReadingObserver = {},
): AsyncGenerator<ManifestItem[]> {
  const file = options.label ?? path;
  const format = detectFormat(path, options.format, file);
  await checkReadable(path, file);
  const validator = createRowValidator({
    defaults: withFlagDefaults(NO_DEFAULTS, options.defaults),
    json: format !== "csv",
  });
  const found: Found = { problems: [], problemCount: 0, rows: 0, invalidRows: 0 };
  try {
    for await (const event of readerFor(format, path, options)) {
      if (event.kind === "delimiter") {
        observer.onDelimiter?.(event.delimiter);
        continue;
      }
      if (event.kind === "fingerprint") {
        observer.onFingerprint?.(event.sha256);
        continue;
      }
      if (event.kind === "defaults") {
        validator.setDefaults(withFlagDefaults(parseManifestDefaults(event.value, file), options.defaults));
        continue;
      }
      const items: ManifestItem[] = new Array<ManifestItem>(event.rows.length);
      for (let i = 0; i < event.rows.length; i++) {
        const raw = event.rows[i]!;
        const item = raw.problem
          ? { ok: false as const, problems: [raw.problem], location: raw.location }
          : validator.validate(raw);
        items[i] = item;
        if (!item.ok) {
          found.invalidRows += 1;
          found.problemCount += item.problems.length;
          for (const problem of item.problems)
            if (found.problems.length < KEPT_PROBLEMS) found.problems.push(problem);
        }
      }
      found.rows += items.length;
      yield items;
    }
  } catch (error) {
    throw readFailure(file, error, found);
  }
}

/** Streams a manifest's rows, validated and with every default resolved. Never loads the file. */
export async function* streamManifest(
  path: string,
  options: StreamOptions = {},
): AsyncGenerator<ManifestItem> {
  for await (const items of streamManifestBatches(path, options)) yield* items;
}
