/**
 * `picks BATCH [--import FILE [--merge]] [--export FILE]`: the images reviewers picked or
 * rejected in a batch, kept in Redis on the batch (the dashboard's reviewers share them), read
 * from and written to picks.csv (ledger/picks-file.ts). Without --export the file is printed.
 */
import { rename, rm, writeFile } from "node:fs/promises";
import { findBatch } from "../batch/picks/find-batch.js";
import { importPicks } from "../batch/picks/import-picks.js";
import { picksCsv } from "../ledger/picks-file.js";
import { createPicksStore } from "../ledger/picks.js";
import { openQueueDeps } from "../runtime/deps.js";
import type { CommandContext } from "./context.js";

export interface PicksSettings {
  /** A batch id or a batch's directory. */
  readonly batch: string;
  readonly importFile: string | undefined;
  /** Import: keep the stored verdicts the file does not give (default: the file replaces them). */
  readonly merge: boolean;
  readonly exportFile: string | undefined;
}

export async function picks(ctx: CommandContext, settings: PicksSettings): Promise<void> {
  const deps = await openQueueDeps(ctx.io);
  try {
    const record = await findBatch(deps.ledger.batches, settings.batch);
    if (settings.importFile !== undefined) {
      const mode = settings.merge ? "merge" : "replace";
      const done = await importPicks(
        { redis: deps.redis, keys: deps.keys, results: deps.ledger.results },
        record.id,
        settings.importFile,
        mode,
      );
      const how = mode === "merge" ? "merged into" : "now are";
      ctx.io.stderr.write(
        `Batch ${record.id}'s picks ${how} ${settings.importFile}'s: ${done.picked} picked, ` +
          `${done.rejected} rejected.\n`,
      );
    }
    const stored = await createPicksStore(deps.redis, deps.keys).list(record.id);
    const text = picksCsv(stored);
    if (settings.exportFile !== undefined) {
      // Complete or absent: written beside, then renamed into place.
      const temp = `${settings.exportFile}.tmp`;
      await writeFile(temp, text).catch(async (error: unknown) => {
        await rm(temp, { force: true });
        throw error;
      });
      await rename(temp, settings.exportFile);
      const picked = stored.filter((p) => p.pick === "pick").length;
      ctx.io.stderr.write(
        `Wrote ${settings.exportFile}: ${picked} picked, ${stored.length - picked} rejected ` +
          `(batch ${record.id}).\n`,
      );
    } else if (settings.importFile === undefined) {
      ctx.io.stdout.write(text);
    }
  } finally {
    await deps.close();
  }
}
