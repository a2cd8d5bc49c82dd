/**
 * The manifest module's public face: stream a CSV/JSON/JSONL manifest as validated rows, scan it
 * once for problems and cost, and word its problems for people.
 */
export { streamManifest, MANIFEST_FORMATS, type StreamOptions } from "./stream.js";
export { formatProblems } from "./problems.js";
export { manifestErrorJson, problemsJson } from "./problems-json.js";
export { parseDelimiter } from "./delimiter.js";
export { ManifestError } from "./errors.js";
export type { JobRow, ManifestItem } from "./types.js";
