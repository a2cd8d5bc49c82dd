/**
 * The manifest module's public face: stream a CSV/JSON/JSONL manifest as validated rows, scan it
 * once for problems and cost, and word its problems for people.
 */
export { streamManifest, streamManifestBatches, detectFormat, MANIFEST_FORMATS, type StreamOptions } from "./stream.js";
export { scanManifest, DEFAULT_MAX_PROBLEMS, type ManifestScan, type ScanOptions } from "./scan.js";
export { formatProblems, formatLocation, DEFAULT_PROBLEM_LIMIT } from "./problems.js";
export { ManifestError } from "./errors.js";
export { KNOWN_COLUMNS } from "./columns.js";
export { MAX_ID_LENGTH } from "./row-key.js";
export type { JobRow, ManifestDefaults, ManifestFormat, ManifestItem, Problem, RawRow, RowLocation } from "./types.js";
