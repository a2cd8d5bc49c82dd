/**
 * Rendered rows as people and files see them: one JSONL manifest line per row (`render`), the
 * same object in `estimate --format json --show N`, and a short text view for `estimate --show N`.
 * A rendered line is itself a valid manifest row: estimating the file `render` wrote gives the
 * same rows and the same totals. Pure.
 */
import { formatLocation } from "../manifest/problems.js";
import type { JobRow } from "../manifest/types.js";

/** `{"id", "model", …input, "metadata"}`: a JSONL manifest row. */
export function manifestLine(row: JobRow): Record<string, unknown> {
  return {
    id: row.key,
    model: row.model,
    ...row.input,
    ...(row.metadata ? { metadata: row.metadata } : {}),
  };
}

const MAX_PROMPT_SHOWN = 600;

function shown(value: unknown): string {
  if (typeof value === "string") return value;
  if (Array.isArray(value)) return value.map(shown).join(" | ");
  return JSON.stringify(value);
}

function indent(text: string, by: string): string {
  return text
    .split("\n")
    .map((line, i) => (i === 0 ? line : `${by}${line}`))
    .join("\n");
}

/** A few rendered rows, each with where it came from and every input it sends. */
export function renderSample(rows: readonly JobRow[], total: number): string {
  if (rows.length === 0) return "No valid rows to show.\n";
  const lines = [`Rendered rows (the first ${rows.length} of ${total.toLocaleString("en-US")}):`];
  for (const row of rows) {
    const tier = row.quality === null ? "" : ` ${row.quality}`;
    const images = row.images === 1 ? "1 image" : `${row.images} images`;
    lines.push("", `${row.key} — ${row.model}${tier}, ${images} (${formatLocation(row.location)})`);
    for (const [name, value] of Object.entries(row.input)) {
      if (name === "quality" || name === "num_images") continue;
      let text = shown(value);
      if (name === "prompt" && text.length > MAX_PROMPT_SHOWN)
        text = `${text.slice(0, MAX_PROMPT_SHOWN - 1)}… (${text.length} characters)`;
      lines.push(`  ${name}: ${indent(text, "    ")}`);
    }
    if (row.metadata)
      lines.push(
        `  metadata: ${Object.entries(row.metadata)
          .map(([key, value]) => `${key}=${value}`)
          .join(", ")}`,
      );
  }
  return `${lines.join("\n")}\n`;
}
