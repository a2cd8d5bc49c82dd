/**
 * A row's metadata: its `metadata.<key>` columns and (JSON) its `metadata` object over the
 * manifest's default metadata, every value text; anything else is a problem. Pure.
 */
import { METADATA_PREFIX } from "./columns.js";
import type { ResolvedDefaults } from "./defaults.js";
import { isBlank } from "./normalise.js";
import { makeProblem } from "./problems.js";
import type { Problem, RowLocation } from "./types.js";

function putMetadata(
  metadata: Record<string, string>,
  key: string,
  value: unknown,
  location: RowLocation,
  problems: Problem[],
): void {
  if (isBlank(value)) return;
  if (typeof value === "object") problems.push(makeProblem(location, `metadata.${key}`, "text", value));
  else metadata[key] = String(value);
}

/** `metadata.sku` → `sku`, sliced once per column name rather than once per row. */
export function metadataKeyCache(): (name: string) => string {
  const keys = new Map<string, string>();
  return (name) => {
    let key = keys.get(name);
    if (key === undefined) {
      key = name.slice(METADATA_PREFIX.length);
      if (keys.size < 1000) keys.set(name, key);
    }
    return key;
  };
}

function hasKeys(object: object): boolean {
  for (const _key in object) return true;
  return false;
}

/** The row's metadata, or null when it has none (and the manifest gives none by default). */
export function readMetadata(
  fields: Readonly<Record<string, unknown>>,
  defaults: ResolvedDefaults,
  location: RowLocation,
  problems: Problem[],
  keyOf: (name: string) => string,
): Record<string, string> | null {
  let metadata: Record<string, string> | null = null;
  for (const name in fields) {
    if (name.startsWith(METADATA_PREFIX))
      putMetadata((metadata ??= { ...defaults.metadata }), keyOf(name), fields[name], location, problems);
  }
  const object = fields.metadata;
  if (!isBlank(object)) {
    if (typeof object !== "object" || Array.isArray(object))
      problems.push(makeProblem(location, "metadata", "an object of text values", object));
    else
      for (const key in object) {
        const value = (object as Record<string, unknown>)[key];
        putMetadata((metadata ??= { ...defaults.metadata }), key, value, location, problems);
      }
  }
  if (metadata === null) return hasKeys(defaults.metadata) ? { ...defaults.metadata } : null;
  return hasKeys(metadata) ? metadata : null;
}
