/**
 * The manifest module's public face: stream a CSV/JSON/JSONL manifest as validated rows, scan it
 * once for problems and cost, and word its problems for people.
 */
export {
  streamManifest,
  streamManifestBatches,
  detectFormat,
  MANIFEST_FORMATS,
  type StreamOptions,
} from "./stream.js";
export type { ManifestSource } from "./source.js";
export { formatProblems, formatLocation } from "./problems.js";
export { manifestErrorJson, problemsJson, type ProblemsJson } from "./problems-json.js";
export { prepareManifestSource, STDIN, type SourceIo } from "./prepare-source.js";
export { parseDelimiter } from "./delimiter.js";
export { ManifestError } from "./errors.js";
export type {
  JobRow,
  ManifestDefaults,
  ManifestFormat,
  ManifestItem,
  Problem,
  RawRow,
  RowLocation,
} from "./types.js";
