/**
 * A CSV file's records, as csv-parse reads them, in batches: in a worker thread for a large
 * UTF-8 file's first read (csv-worker.ts), else on this thread from the file's decoded text
 * (text.ts), which can skip the lines before where reading goes on after a malformed record.
 */
import { parse } from "csv-parse";
import type { Undecodable } from "../types.js";
import { parseCsvInWorker } from "./csv-worker.js";
import { drainInBatches } from "./drain.js";
import { openManifestText, type Fingerprint, type ManifestFile } from "./text.js";

/** The reader's csv-parse options (bench/estimate.ts measures bare csv-parse with the same). */
/** max_record_size: no job needs a 1 MiB row; anything longer is a wrong file, and must not eat memory. */
export const CSV_PARSE_OPTIONS = {
  bom: true,
  relax_column_count: true,
  max_record_size: 1024 * 1024,
} as const;

export interface RecordSource {
  readonly path: string;
  /** The file opened for this pass, read from its start (the first read); null: open it again by path. */
  readonly opened: ManifestFile | null;
  /** Told every byte of the first read (the fingerprint). */
  readonly fingerprint: Fingerprint | null;
  readonly file: string;
  readonly delimiter: string;
  readonly encoding: string;
  readonly inWorker: boolean;
  /** Lines to skip before parsing (reading on after a malformed record). */
  readonly skipLines: number;
  readonly onSkipped: (line: string) => void;
  /** Told, before the records holding them, that bytes which are not UTF-8 went by. */
  readonly onUndecodable: (verdict: Undecodable) => void;
}

export async function* recordBatches(source: RecordSource): AsyncGenerator<string[][]> {
  const options = { ...CSV_PARSE_OPTIONS, delimiter: source.delimiter };
  if (source.inWorker && source.opened) {
    yield* parseCsvInWorker(source.opened.fd, options, {
      onUndecodable: source.onUndecodable,
      onDigest: (sha256) => source.fingerprint?.adopt(sha256),
    });
    return;
  }
  const parser = parse(options);
  const text = await openManifestText(source.path, {
    encoding: source.encoding,
    skipLines: source.skipLines,
    onSkipped: source.onSkipped,
    file: source.file,
    opened: source.opened ?? undefined,
    onBytes: source.fingerprint ? (chunk: Buffer) => source.fingerprint?.update(chunk) : undefined,
  });
  text.stream.on("error", (error) => parser.destroy(error));
  text.stream.pipe(parser);
  for await (const batch of drainInBatches<string[]>(parser)) {
    const verdict = text.undecodable();
    if (verdict) source.onUndecodable(verdict);
    yield batch;
  }
}
