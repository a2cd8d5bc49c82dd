/**
 * A CSV manifest's header row, checked: unknown, duplicate or unnamed columns stop the manifest
 * with one message naming each, and a hint when the header looks split by another separator.
 */
import {
  isKnownCsvColumn,
  KNOWN_COLUMNS,
  knownColumnsList,
  METADATA_PREFIX,
  unknownNameHint,
} from "../columns.js";
import { describeDelimiter } from "../delimiter.js";
import { ManifestError } from "../errors.js";

/** "the header looks separated by `;`" when a column name holds another likely separator. */
function separatorHint(names: readonly string[], delimiter: string): string {
  for (const other of [";", "\t", ","]) {
    if (other !== delimiter && names.some((name) => name.includes(other))) {
      const flag = other === "\t" ? "tab" : `'${other}'`;
      return (
        ` The header looks separated by ${describeDelimiter(other)}, not ${describeDelimiter(delimiter)}: ` +
        `pass --delimiter ${flag}.`
      );
    }
  }
  return "";
}

/** Checks the header; unknown, duplicate or unnamed columns stop the manifest. Returns column names ("" = ignored). */
export function checkHeader(file: string, header: readonly string[], delimiter = ","): string[] {
  const names = header.map((name) => name.trim());
  const errors: string[] = [];
  const seen = new Set<string>();
  names.forEach((name, i) => {
    if (name === "") return;
    if (seen.has(name))
      errors.push(`column \`${name}\` appears twice (columns ${names.indexOf(name) + 1} and ${i + 1})`);
    seen.add(name);
    if (!isKnownCsvColumn(name)) {
      errors.push(
        name === METADATA_PREFIX.slice(0, -1)
          ? "column `metadata` needs a key: name it `metadata.<key>`, e.g. `metadata.sku`"
          : unknownNameHint(name, KNOWN_COLUMNS),
      );
    }
  });
  if (errors.length > 0) {
    const end = /[?.]$/.test(errors.at(-1) ?? "") ? "" : ".";
    throw new ManifestError(
      `${file} line 1: ${errors.join("; ")}${end}${separatorHint(names, delimiter)} ` +
        `Known columns: ${knownColumnsList()}. Rename or remove the column in the header.`,
      { file, line: 1, field: "header", expected: "known column names", found: header.join(delimiter) },
    );
  }
  return names;
}
