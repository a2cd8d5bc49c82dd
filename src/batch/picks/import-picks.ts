/**
 * Reading a picks file into a batch (`picks BATCH --import FILE`, `promote --picks FILE`): the
 * file is read and checked against the batch's images first, so a file with any bad line changes
 * nothing; then it replaces the batch's picks (the file is the whole review) or, with `merge`,
 * sets the verdicts it gives and keeps the others.
 */
import { readFile } from "node:fs/promises";
import { UsageError } from "../../core/errors.js";
import type { Keys } from "../../ledger/keys.js";
import { pickProblems } from "../../ledger/pick-targets.js";
import { parsePicksCsv, type ImagePick } from "../../ledger/picks-file.js";
import { createPicksStore } from "../../ledger/picks.js";
import type { ResultReader } from "../../ledger/result-reader.js";
import type { Redis } from "ioredis";

export interface ImportedPicks {
  readonly picks: readonly ImagePick[];
  readonly picked: number;
  readonly rejected: number;
}

export async function importPicks(
  o: {
    readonly redis: Redis;
    readonly keys: Keys;
    readonly results: Pick<ResultReader, "results">;
  },
  batchId: string,
  file: string,
  mode: "replace" | "merge",
): Promise<ImportedPicks> {
  let text: string;
  try {
    text = await readFile(file, "utf8");
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? String(error);
    throw new UsageError(`cannot read the picks file ${file} (${code})`, { cause: error });
  }
  const picks = parsePicksCsv(text, file);
  const problems = await pickProblems(o.results, batchId, picks);
  if (problems.length > 0) {
    const shown = problems.slice(0, 20).map((p) => `  ${p}`);
    const more = problems.length > 20 ? [`  … and ${problems.length - 20} more`] : [];
    throw new UsageError(
      `${file} names images batch ${batchId} does not have; nothing was imported:\n` +
        [...shown, ...more].join("\n"),
    );
  }
  const store = createPicksStore(o.redis, o.keys);
  if (mode === "replace") await store.replace(batchId, picks);
  else await store.set(batchId, picks);
  const picked = picks.filter((p) => p.pick === "pick").length;
  return { picks, picked, rejected: picks.length - picked };
}
