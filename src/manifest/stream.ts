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
import { createRowValidator } from "./validate.js";
import type { ManifestDefaults, ManifestFormat, ManifestItem } from "./types.js";

export interface StreamOptions {
  /** Overrides the format the extension implies. */
  readonly format?: ManifestFormat | undefined;
  /** `--model` / `--quality`: fill rows that leave them empty (see defaults.ts for precedence). */
  readonly defaults?: ManifestDefaults | undefined;
  /** CSV: parse in a worker thread (default: for files of 4 MB or more; see readers/csv.ts). */
  readonly csvWorker?: boolean | undefined;
}

export const MANIFEST_FORMATS: readonly ManifestFormat[] = ["csv", "json", "jsonl"];
const EXTENSIONS: Readonly<Record<string, ManifestFormat>> = { ".csv": "csv", ".json": "json", ".jsonl": "jsonl", ".ndjson": "jsonl" };

/** The format named by the option, else by the file's extension. */
export function detectFormat(path: string, format?: ManifestFormat): ManifestFormat {
  if (format !== undefined) return format;
  const detected = EXTENSIONS[extname(path).toLowerCase()];
  if (detected) return detected;
  throw new ManifestError(
    `${path}: cannot tell the manifest format from the extension "${extname(path)}"; name the file .csv, .json or .jsonl, or pass --input-format csv|json|jsonl.`,
    { file: path },
  );
}

/** Throws a ManifestError that says what to do when the file cannot be read. */
export async function checkReadable(path: string): Promise<void> {
  try {
    const info = await stat(path);
    if (info.isDirectory()) throw new ManifestError(`${path} is a directory; pass the manifest file inside it.`, { file: path });
  } catch (error) {
    if (error instanceof ManifestError) throw error;
    const code = (error as NodeJS.ErrnoException).code;
    const reason =
      code === "ENOENT" ? "no such file; check the path (it is relative to the current directory)" : code === "EACCES" ? "permission denied; check the file's permissions" : `cannot be read (${code ?? String(error)})`;
    throw new ManifestError(`${path}: ${reason}.`, { file: path, cause: error });
  }
}

function readerFor(format: ManifestFormat, path: string, csvWorker: boolean | undefined): AsyncGenerator<ReaderEvent> {
  if (format === "csv") return readCsv(path, path, { worker: csvWorker });
  if (format === "jsonl") return readJsonl(path, path);
  return readJson(path, path);
}

function readFailure(path: string, error: unknown): unknown {
  if (error instanceof ManifestError) return error;
  const code = (error as NodeJS.ErrnoException | null)?.code;
  if (typeof code === "string" && code.startsWith("E")) return new ManifestError(`${path}: cannot be read (${code}).`, { file: path, cause: error });
  return error;
}

/**
 * Validated items in batches, in file order. The engine under streamManifest and scanManifest:
 * batching keeps the per-row overhead of async iteration out of the hot path.
 */
export async function* streamManifestBatches(path: string, options: StreamOptions = {}): AsyncGenerator<ManifestItem[]> {
  const format = detectFormat(path, options.format);
  await checkReadable(path);
  const validator = createRowValidator({ defaults: withFlagDefaults(NO_DEFAULTS, options.defaults), json: format !== "csv" });
  try {
    for await (const event of readerFor(format, path, options.csvWorker)) {
      if (event.kind === "defaults") {
        validator.setDefaults(withFlagDefaults(parseManifestDefaults(event.value, path), options.defaults));
        continue;
      }
      const items: ManifestItem[] = new Array<ManifestItem>(event.rows.length);
      for (let i = 0; i < event.rows.length; i++) {
        const raw = event.rows[i]!;
        items[i] = raw.problem ? { ok: false, problems: [raw.problem], location: raw.location } : validator.validate(raw);
      }
      yield items;
    }
  } catch (error) {
    throw readFailure(path, error);
  }
}

/** Streams a manifest's rows, validated and with every default resolved. Never loads the file. */
export async function* streamManifest(path: string, options: StreamOptions = {}): AsyncGenerator<ManifestItem> {
  for await (const items of streamManifestBatches(path, options)) yield* items;
}
