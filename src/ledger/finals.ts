/**
 * Which finals were promoted from a draft batch's images (one hash on the draft's tag): image of
 * a draft row → the final batch and row made from it. `promote` writes them when it opens the
 * final batch (a promote again takes the links of unpicked images away); the draft's report reads
 * them to show which picks have finals.
 */
import type { Redis } from "ioredis";
import type { Keys } from "./keys.js";

export interface FinalOfDraft {
  /** The draft row and its 1-based image number. */
  readonly row: string;
  readonly image: number;
  /** The final batch and its row made from that image. */
  readonly finalBatch: string;
  readonly finalRow: string;
}

export interface FinalsStore {
  /** Every final made from the draft batch's images. */
  list(draftBatch: string): Promise<FinalOfDraft[]>;
  /** The draft's finals in `finalBatch` become exactly `finals` (other final batches' stay). */
  replaceFrom(draftBatch: string, finalBatch: string, finals: readonly FinalOfDraft[]): Promise<void>;
}

function parse(name: string, finalRow: string): FinalOfDraft | null {
  try {
    const [row, image, finalBatch] = JSON.parse(name) as unknown[];
    if (typeof row !== "string" || typeof image !== "number" || typeof finalBatch !== "string") return null;
    return { row, image, finalBatch, finalRow };
  } catch {
    return null;
  }
}

export function createFinalsStore(redis: Redis, keys: Keys): FinalsStore {
  const list = async (draftBatch: string): Promise<FinalOfDraft[]> => {
    const all = await redis.hgetall(keys.finals(draftBatch));
    return Object.entries(all).flatMap(([name, finalRow]) => parse(name, finalRow) ?? []);
  };
  return {
    list,
    async replaceFrom(draftBatch, finalBatch, finals) {
      const key = keys.finals(draftBatch);
      const field = (f: FinalOfDraft) => JSON.stringify([f.row, f.image, f.finalBatch]);
      const keep = new Set(finals.map(field));
      const stale = (await list(draftBatch))
        .filter((f) => f.finalBatch === finalBatch && !keep.has(field(f)))
        .map(field);
      const tx = redis.multi();
      if (stale.length > 0) tx.hdel(key, ...stale);
      if (finals.length > 0) tx.hset(key, ...finals.flatMap((f) => [field(f), f.finalRow]));
      await tx.exec();
    },
  };
}
