/**
 * Where a manifest comes from and how to read it: the one value every reader of a manifest takes
 * (estimate, submit, run, the producer, the reports). Built once from the flags; stored with a
 * batch so later readers read the same rows the same way.
 */
import type { StreamOptions } from "./stream.js";

export interface ManifestSource extends StreamOptions {
  /** The manifest file, as given (relative to the current directory) or resolved. */
  readonly path: string;
  /** A recipe file: the manifest is a product feed, rendered into job rows by it (src/feed/). */
  readonly recipe?: string | undefined;
  /** A feed fetched from a URL: header → the environment variable holding its value (credentials). */
  readonly feedHeaders?: Readonly<Record<string, string>> | undefined;
}

/** The reading options of a source without its path: what a batch stores beside the path. */
export function readingOptions(source: ManifestSource): StreamOptions {
  const { path: _path, ...options } = source;
  return options;
}
