/**
 * A batch's picks in Redis (one hash on the batch's tag): per image, the reviewers' verdict,
 * note and when it was given. The dashboard's reviewers share them, `picks BATCH` imports and
 * exports them, and `promote` makes finals of the picked images. The format is picks-file.ts's.
 */
import type { Redis } from "ioredis";
import { z } from "zod";
import type { Keys } from "./keys.js";
import { comparePicks, PICK_STATES, type ImagePick } from "./picks-file.js";

/** Which image: a row and its 1-based image number. */
export interface ImageRef {
  readonly id: string;
  readonly image: number;
}

interface PickCounts {
  readonly pick: number;
  readonly reject: number;
}

export interface PicksStore {
  /** Every verdict, sorted by id, then image. */
  list(batchId: string): Promise<ImagePick[]>;
  /** Sets these verdicts (others stay). */
  set(batchId: string, picks: readonly ImagePick[], now?: Date): Promise<void>;
  /** Takes the verdict off these images. */
  clear(batchId: string, images: readonly ImageRef[]): Promise<void>;
  /** The batch's verdicts become exactly these (in one transaction). */
  replace(batchId: string, picks: readonly ImagePick[], now?: Date): Promise<void>;
  counts(batchId: string): Promise<PickCounts>;
}

const storedPick = z.object({ pick: z.enum(PICK_STATES), note: z.string(), at: z.string() });
const field = (ref: ImageRef) => JSON.stringify([ref.id, ref.image]);

function fieldsOf(picks: readonly ImagePick[], now: Date): string[] {
  const at = now.toISOString();
  return picks.flatMap((p) => [field(p), JSON.stringify({ pick: p.pick, note: p.note, at })]);
}

/** A stored entry, or null for one this version cannot read (skipped, never fatal to a review). */
function parseEntry(name: string, text: string): ImagePick | null {
  try {
    const [id, image] = JSON.parse(name) as unknown[];
    const value = storedPick.safeParse(JSON.parse(text));
    if (typeof id !== "string" || typeof image !== "number" || !value.success) return null;
    return { id, image, pick: value.data.pick, note: value.data.note };
  } catch {
    return null;
  }
}

export function createPicksStore(redis: Redis, keys: Keys): PicksStore {
  const list = async (batchId: string): Promise<ImagePick[]> => {
    const all = await redis.hgetall(keys.picks(batchId));
    const picks: ImagePick[] = [];
    for (const [name, text] of Object.entries(all)) {
      const entry = parseEntry(name, text);
      if (entry) picks.push(entry);
    }
    return picks.sort(comparePicks);
  };
  return {
    list,
    async set(batchId, picks, now = new Date()) {
      if (picks.length > 0) await redis.hset(keys.picks(batchId), ...fieldsOf(picks, now));
    },
    async clear(batchId, images) {
      if (images.length > 0) await redis.hdel(keys.picks(batchId), ...images.map(field));
    },
    async replace(batchId, picks, now = new Date()) {
      const tx = redis.multi().del(keys.picks(batchId));
      if (picks.length > 0) tx.hset(keys.picks(batchId), ...fieldsOf(picks, now));
      await tx.exec();
    },
    async counts(batchId) {
      const picks = await list(batchId);
      const pick = picks.filter((p) => p.pick === "pick").length;
      return { pick, reject: picks.length - pick };
    },
  };
}
