/**
 * `--give-up-after`, carried out: every second, each batch the worker serves is checked for
 * progress (give-up.ts decides); one blocked too long because Runflow refuses is given up on —
 * its waiting rows are woken, refused and recorded failed — and, if its runs in flight still do
 * not end in as long again, it is ended without them.
 */
import type { BatchRecords } from "../ledger/batch-records.js";
import type { Logger } from "../log/logger.js";
import type { BatchFinisher } from "./batch-end.js";
import { createGiveUpWatch, type GiveUpWatch } from "./give-up.js";
import type { Lane } from "./lane.js";
import type { RowEpisodes } from "./row-episodes.js";

export interface GiveUpWatcherOptions {
  readonly afterMs: number;
  readonly lanes: () => ReadonlyMap<string, Lane>;
  readonly batches: Pick<BatchRecords, "get" | "finish" | "giveUp">;
  readonly episodes: RowEpisodes;
  readonly finisher: BatchFinisher | null;
  readonly logger: Logger;
}

export interface GiveUpWatcher {
  /** Stops watching; resolves once a check in progress is done. */
  close(): Promise<void>;
}

/** What holds the worker up that Runflow refuses, for `--give-up-after`; null when nothing does. */
function blockedBy(episodes: RowEpisodes): string | null {
  if (episodes.outOfCredit.ongoing)
    return "the Runflow account is out of credit (402): top it up and run again";
  if (episodes.rateLimited.ongoing) return "Runflow kept rate limiting the requests (429)";
  if (episodes.transient.ongoing)
    return "Runflow kept answering with server errors (5xx) or could not be reached";
  return null;
}

/** Has the batch gone without progress for too long because Runflow refuses? Then give up on it. */
async function checkBatch(o: GiveUpWatcherOptions, watch: GiveUpWatch, id: string, lane: Lane) {
  const { batches, finisher } = o;
  const record = await batches.get(id);
  if (!record || record.endedAt !== null) return;
  // Once given up, waiting on its runs in flight counts as blocked too.
  const blocked = record.stopReason ?? blockedBy(o.episodes);
  const reason = watch.observe(id, record.succeeded + record.failed, Date.now(), blocked);
  if (reason === null) return;
  if (record.stopReason !== null) {
    // Given up, and its runs in flight still did not end in as long again: end it without them.
    const end = { state: "failed-rows" as const, reason: record.stopReason };
    if (finisher) await finisher.end(id, end);
    else await batches.finish(id, end.state, end.reason);
    return;
  }
  o.logger.warn({ batch: id }, `Giving up on batch ${id}: ${reason}. Its rows that never ran end failed.`);
  await batches.giveUp(id, reason);
  await lane.wake(); // the waiting rows come up now, are refused, and are recorded failed
  void finisher?.check(id);
}

export function startGiveUpWatcher(o: GiveUpWatcherOptions): GiveUpWatcher {
  const watch = createGiveUpWatch(o.afterMs);
  let watching: Promise<void> = Promise.resolve();
  const check = async () => {
    for (const [id, lane] of o.lanes()) await checkBatch(o, watch, id, lane);
  };
  const timer = setInterval(() => {
    watching = watching
      .then(check)
      .catch((err: unknown) => o.logger.debug({ err }, "Could not check the batches' progress."));
  }, 1_000);
  timer.unref();
  return {
    async close() {
      clearInterval(timer);
      await watching;
    },
  };
}
