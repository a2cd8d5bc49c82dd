/**
 * Two rows must never write the same image file. Each row claims the file names it will write
 * (core/file-names.ts: <id>.<ext>, or <id>-1.<ext> … for several images); a name claimed twice is
 * a problem of the later row that names both rows:
 *   `line 7: id "a-1" would write images/a-1.png, which line 3 (id "a", 2 images) writes too; rename one`
 * Memory stays flat: names are kept as 64-bit fingerprints (key-registry.ts); only rows whose names
 * differ from their id (several images, or a sanitised id) are remembered in full, to word the message.
 */
import { imageBasesFor, likelyExtension } from "../core/file-names.js";
import { KeyRegistry } from "./key-registry.js";
import { makeProblem } from "./problems.js";
import type { Problem, RowLocation } from "./types.js";

export interface FileClaims {
  /** The problem when one of the row's file names is already another row's, else null. */
  claim(row: { key: string; images: number; outputFormat: unknown }, location: RowLocation): Problem | null;
}

const whereOf = (location: RowLocation) => ("line" in location ? location.line : location.index);
const phrase = (location: RowLocation, where: number) =>
  "line" in location ? `line ${where}` : `index ${where}`;

export function createFileClaims(): FileClaims {
  const names = new KeyRegistry();
  /** Rows whose file names are not simply their id: where → id and image count. */
  const unusual = new Map<number, { id: string; images: number }>();
  return {
    claim(row, location) {
      const where = whereOf(location);
      const bases = imageBasesFor(row.key, row.images);
      const ext = likelyExtension(row.outputFormat);
      let problem: Problem | null = null;
      for (const base of bases) {
        const earlier = names.claim(base, where);
        if (earlier === null || earlier === where || problem !== null) continue;
        const other = unusual.get(earlier) ?? { id: base, images: 1 };
        const images = other.images > 1 ? `, ${other.images} images` : "";
        const them = `${phrase(location, earlier)} (id ${JSON.stringify(other.id)}${images})`;
        problem = makeProblem(
          location,
          "id",
          "an id whose image files no other row writes",
          row.key,
          `id ${JSON.stringify(row.key)} would write images/${base}.${ext}, which ${them} writes too; rename one`,
        );
      }
      if (bases.length > 1 || bases[0] !== row.key) unusual.set(where, { id: row.key, images: row.images });
      return problem;
    },
  };
}
