/** Telling a manifest's format from its first line, for one read from stdin without --input-format. Pure. */
import type { ManifestFormat } from "./types.js";

/** CSV, JSON or JSONL from a manifest's first line that is not blank. */
export function sniffFormat(firstLine: string): ManifestFormat | null {
  const line = firstLine.trim();
  if (line === "") return null;
  if (line.startsWith("[")) return "json";
  if (!line.startsWith("{")) return "csv";
  try {
    const value: unknown = JSON.parse(line);
    const keys = value !== null && typeof value === "object" ? Object.keys(value) : [];
    // {"defaults": …, "jobs": […]} on one line is a JSON manifest; any other object, a JSONL row.
    return keys.includes("jobs") || keys.includes("defaults") ? "json" : "jsonl";
  } catch {
    return "json"; // an object spread over several lines
  }
}
