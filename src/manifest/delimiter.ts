/**
 * The CSV field separator: told with `--delimiter`, or read off the header line — a comma, or a
 * semicolon (Excel's CSV in most European locales), or a tab (copied from a spreadsheet). Pure.
 */
import { UsageError } from "../core/errors.js";

const DETECTED_DELIMITERS = [",", ";", "\t"] as const;

const NAMED: Readonly<Record<string, string>> = {
  tab: "\t",
  "\\t": "\t",
  comma: ",",
  semicolon: ";",
  pipe: "|",
};

/** The separator the header line uses most, outside quotes; a comma when it has none. */
export function detectDelimiter(header: string): string {
  const counts = new Map<string, number>(DETECTED_DELIMITERS.map((d) => [d, 0]));
  let quoted = false;
  for (const char of header) {
    if (char === '"') quoted = !quoted;
    else if (!quoted && counts.has(char)) counts.set(char, (counts.get(char) ?? 0) + 1);
  }
  let best = ",";
  for (const [delimiter, count] of counts) if (count > (counts.get(best) ?? 0)) best = delimiter;
  return best;
}

/**
 * The line a command says when a CSV manifest's separator, read from its header, is not a comma
 * (null when it is, or when `--delimiter` named it).
 */
export function delimiterNote(
  file: string,
  detected: string | null,
  given: string | undefined,
): string | null {
  if (given !== undefined || detected === null || detected === ",") return null;
  const by = describeDelimiter(detected);
  return `${file}: columns are separated by ${by} (read from the header; --delimiter sets it).`;
}

/** `;` as people read it in a message; a tab by name. */
export function describeDelimiter(delimiter: string): string {
  return delimiter === "\t" ? "tab" : `\`${delimiter}\``;
}

/** `--delimiter`: one character (`;`, `|`…) or a name: tab (or \t), comma, semicolon, pipe. */
export function parseDelimiter(text: string): string {
  const value = NAMED[text.trim().toLowerCase()] ?? text;
  if ([...value].length !== 1 || value === '"' || value === "\n" || value === "\r") {
    throw new UsageError(
      `--delimiter must be one character such as ";" or "|", or tab, got ${JSON.stringify(text)}` +
        " (a double quote or a line end cannot separate fields)",
    );
  }
  return value;
}
