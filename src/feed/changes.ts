/**
 * Why rows of a feed changed since its directory was last brought up to date: because the recipe
 * changed, or because the feed did. A rendered row's fingerprint is what it asks Runflow for
 * (model and input, as the plan compares them); beside it the directory keeps, per row, a
 * fingerprint of the feed data its templates saw. A row whose request changed while its feed
 * data did not was changed by the recipe (or the command's --model/--quality); any other changed
 * row by the feed. Kept in DIR/.runflow-feed.jsonl, rewritten each time the directory is opened.
 */
import { createHash } from "node:crypto";
import { createReadStream } from "node:fs";
import { open, rename, rm } from "node:fs/promises";
import path from "node:path";
import { createInterface } from "node:readline";
import { z } from "zod";
import { canonicalJson } from "../core/canonical-json.js";
import type { ManifestSource } from "../manifest/source.js";
import type { ManifestItem } from "../manifest/types.js";
import type { CompiledRecipe } from "./compile.js";
import { streamFeedBatches } from "./stream.js";
import type { Unit } from "./units.js";

const MEMO_FILE = ".runflow-feed.jsonl";

/** One line of the memo: a row's key, and its request's fingerprint followed by its feed data's. */
const memoLine = z.tuple([z.string(), z.string().length(32)]);

type MemoLine = z.infer<typeof memoLine>;

export interface ChangeCauses {
  /** Rows whose request differs from last time though their feed data does not. */
  readonly recipe: number;
  /** Rows whose request differs and whose feed data changed. */
  readonly feed: number;
  /** Rows there was no fingerprint of (new rows, or the directory's first feed). */
  readonly unknown: number;
}

const short = (value: unknown) =>
  createHash("sha256").update(canonicalJson(value)).digest("hex").slice(0, 16);

/** The feed data a unit's templates see. */
function dataOf(unit: Unit & { ok: true }, compiled: CompiledRecipe): string {
  const { row, product, variants, images } = unit.scope;
  return short(
    compiled.needs.variants || compiled.needs.images ? { row, product, variants, images } : { row, product },
  );
}

/**
 * The directory's fingerprints by row key; null when it has none, or when a line does not read
 * (written by another version or changed by hand): a damaged memo only loses the explanation,
 * never a row, and is written anew.
 */
async function readMemo(file: string): Promise<Map<string, string> | null> {
  const memo = new Map<string, string>();
  try {
    const lines = createInterface({
      input: createReadStream(file, { encoding: "utf8" }),
      crlfDelay: Infinity,
    });
    for await (const line of lines) {
      if (line === "") continue;
      const parsed = memoLine.safeParse(JSON.parse(line));
      if (!parsed.success) return null;
      const [key, fingerprints]: MemoLine = parsed.data;
      memo.set(key, fingerprints);
    }
    return memo;
  } catch {
    return null; // none yet (ENOENT), or not JSON
  }
}

/**
 * Reads the feed once through its recipe, compares each row with the directory's fingerprints,
 * and (with `write`) keeps the new ones. Null causes when the directory has none yet.
 */
export async function explainChanges(
  source: ManifestSource,
  outDir: string,
  options: { readonly write: boolean },
): Promise<ChangeCauses | null> {
  const file = path.join(outDir, MEMO_FILE);
  const memo = await readMemo(file);
  let recipe = 0;
  let feed = 0;
  let unknown = 0;
  const temp = `${file}.${process.pid}.tmp`;
  const out = options.write ? await open(temp, "w", 0o600).catch(() => null) : null;
  let text = "";
  const observe = (unit: Unit, items: readonly ManifestItem[], compiled: CompiledRecipe) => {
    if (!unit.ok) return;
    const data = dataOf(unit, compiled);
    for (const item of items) {
      if (!item.ok) continue;
      const request = short({ model: item.row.model, input: item.row.input });
      const fingerprints = `${request}${data}`;
      if (out) text += `${JSON.stringify([item.row.key, fingerprints] satisfies MemoLine)}\n`;
      const before = memo?.get(item.row.key);
      if (before === undefined) unknown += 1;
      else if (before.slice(0, 16) !== request) {
        if (before.slice(16) === data) recipe += 1;
        else feed += 1;
      }
    }
  };
  try {
    for await (const _items of streamFeedBatches(source, { observe })) {
      if (out && text.length > 256 * 1024) {
        await out.write(text);
        text = "";
      }
    }
    if (out) {
      await out.write(text);
      await out.close();
      await rename(temp, file);
    }
  } catch (error) {
    await out?.close().catch(() => undefined);
    await rm(temp, { force: true });
    throw error;
  }
  return memo === null ? null : { recipe, feed, unknown };
}

/**
 * `of the rows that changed since out/cat was last brought up to date: 2 because the recipe
 * changed, 4 because the feed did`
 */
export function changesLine(dir: string, causes: ChangeCauses): string {
  const rows = (n: number) => `${n.toLocaleString("en-US")} row${n === 1 ? "" : "s"}`;
  return (
    `${dir}: since it was last brought up to date, ${rows(causes.recipe + causes.feed)} changed: ` +
    `${causes.recipe.toLocaleString("en-US")} because the recipe changed, ` +
    `${causes.feed.toLocaleString("en-US")} because the feed did`
  );
}
