/**
 * Picks: a reviewer's verdict on one image of a batch (issue 21), and picks.csv, the one file
 * format report.html exports, `picks BATCH --export` writes and `--import` / `promote --picks` read:
 *
 *   id,image,pick,note
 *   chair,2,pick,warmer light
 *   chair,3,reject,
 *
 * - `id`: the row's id, as in results.csv;
 * - `image`: which of the row's images, a 1-based number — image n is `images/<id>-<n>.<ext>`
 *   (`images/<id>.<ext>` for a row with one image, which is image 1), never a file name;
 * - `pick`: `pick` or `reject` (an image with no verdict is not listed; reading, an empty cell
 *   means no verdict and the line is skipped);
 * - `note`: free text, may be empty.
 * Rejects are listed. Lines are sorted by id (by UTF-16 code units, as JavaScript compares
 * strings), then image; the header is always written, LF line ends, RFC 4180 quoting. Reading
 * takes the columns in any order, ignores other columns and a byte order mark. Pure.
 */
import { parse } from "csv-parse/sync";
import { UsageError } from "../core/errors.js";

export const PICK_STATES = ["pick", "reject"] as const;
type PickState = (typeof PICK_STATES)[number];

export interface ImagePick {
  readonly id: string;
  /** 1-based. */
  readonly image: number;
  readonly pick: PickState;
  readonly note: string;
}

const PICKS_CSV_COLUMNS = ["id", "image", "pick", "note"] as const;

/** By id (code units), then image. */
export function comparePicks(a: Pick<ImagePick, "id" | "image">, b: Pick<ImagePick, "id" | "image">): number {
  if (a.id !== b.id) return a.id < b.id ? -1 : 1;
  return a.image - b.image;
}

function csvField(value: string): string {
  return /[",\r\n]/.test(value) || value !== value.trim() ? `"${value.replaceAll('"', '""')}"` : value;
}

/** picks.csv's text for these picks (sorted here). */
export function picksCsv(picks: readonly ImagePick[]): string {
  const lines = [...picks]
    .sort(comparePicks)
    .map((p) => [p.id, String(p.image), p.pick, p.note].map(csvField).join(","));
  return [PICKS_CSV_COLUMNS.join(","), ...lines].map((line) => line + "\n").join("");
}

/** A picks file that cannot be read as picks: every problem, each with its line (exit 2). */
export class PicksFileError extends UsageError {
  constructor(file: string, problems: readonly string[]) {
    const shown = problems.slice(0, 20).map((p) => `  ${p}`);
    const more = problems.length > 20 ? [`  … and ${problems.length - 20} more`] : [];
    super(
      `${file} is not a picks file runflow-batch can read (${problems.length} problem` +
        `${problems.length === 1 ? "" : "s"}):\n${[...shown, ...more].join("\n")}\n` +
        "A picks file has the columns id,image,pick,note: image is the 1-based number of the row's image, " +
        "pick is pick or reject (see README, Drafts and finals).",
    );
  }
}

const describe = (value: string) => JSON.stringify(value.length > 60 ? `${value.slice(0, 57)}...` : value);

/** Reads picks.csv; throws PicksFileError naming each bad line. */
export function parsePicksCsv(text: string, file: string): ImagePick[] {
  let records: { record: Record<string, string>; info: { lines: number } }[];
  try {
    records = parse(text, { columns: true, bom: true, info: true, skip_empty_lines: true, trim: false });
  } catch (error) {
    throw new PicksFileError(file, [error instanceof Error ? error.message : String(error)]);
  }
  const header = records[0] ? Object.keys(records[0].record) : headerOf(text);
  const missing = ["id", "image", "pick"].filter((c) => !header.includes(c));
  if (missing.length > 0)
    throw new PicksFileError(file, [
      `line 1: the header lacks ${missing.join(", ")} (found ${header.join(",")})`,
    ]);
  const problems: string[] = [];
  const seen = new Map<string, number>();
  const picks: ImagePick[] = [];
  for (const { record, info } of records) {
    const at = `line ${info.lines}`;
    const id = record.id ?? "";
    const imageText = (record.image ?? "").trim();
    const pickText = (record.pick ?? "").trim().toLowerCase();
    if (pickText === "") continue; // no verdict
    const before = problems.length;
    if (id === "") problems.push(`${at}: id must be a row id, got nothing`);
    if (!/^[1-9]\d{0,3}$/.test(imageText))
      problems.push(`${at}: image must be the image's number (1, 2, …), got ${describe(imageText)}`);
    if (pickText !== "pick" && pickText !== "reject")
      problems.push(`${at}: pick must be pick or reject, got ${describe(record.pick ?? "")}`);
    if (problems.length > before) continue;
    const key = JSON.stringify([id, Number(imageText)]);
    const earlier = seen.get(key);
    if (earlier !== undefined) {
      problems.push(`${at}: image ${imageText} of ${describe(id)} was already given on line ${earlier}`);
      continue;
    }
    seen.set(key, info.lines);
    picks.push({ id, image: Number(imageText), pick: pickText as PickState, note: record.note ?? "" });
  }
  if (problems.length > 0) throw new PicksFileError(file, problems);
  return picks.sort(comparePicks);
}

function headerOf(text: string): string[] {
  const first = text.replace(/^\uFEFF/, "").split(/\r?\n/, 1)[0] ?? "";
  return first === "" ? [] : first.split(",").map((c) => c.trim());
}
