/**
 * What a batch's workers are held up by, for `status` ("waiting for …"): each worker notes the
 * conditions it meets (rate limited, out of credit, transient errors, runs it cannot read, images
 * it cannot write) in one small hash per batch, at most every few seconds per condition; a
 * condition not noted for two minutes is over. Since when a condition has lasted survives the
 * notes of other workers. Notes are read through their schema: one that does not read is exit 4
 * (ledger/errors.ts) for `status`, and simply written anew by the next worker that meets it.
 */
import type { Redis } from "ioredis";
import { z } from "zod";
import { issuesText, UnreadableLedgerEntryError } from "./errors.js";
import type { Keys } from "./keys.js";

const KINDS = ["rate-limited", "out-of-credit", "transient", "unreadable", "local"] as const;

/** One note: the hash field is its kind, the value the rest (older notes may lack the reason). */
const waitConditionSchema = z.object({
  kind: z.enum(KINDS),
  /** When it started (ISO). */
  since: z.iso.datetime(),
  /** When a worker last met it (ISO). */
  last: z.iso.datetime(),
  reason: z.string().default(""),
});

export type WaitCondition = z.infer<typeof waitConditionSchema>;
export type WaitKind = WaitCondition["kind"];

export interface BatchWaits {
  /** A worker met `kind` now (throttled: at most one write per batch and kind every few seconds). */
  note(batchId: string, kind: WaitKind, reason: string, nowMs?: number): void;
  /** The conditions met in the last two minutes, oldest first. */
  read(batchId: string, nowMs?: number): Promise<WaitCondition[]>;
}

/** A condition not met for this long is over. */
const WAIT_FRESH_MS = 120_000;
const NOTE_EVERY_MS = 5_000;

function parse(kind: string, text: string): z.ZodSafeParseResult<WaitCondition> | null {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return null;
  }
  return waitConditionSchema.safeParse({ ...(value as object), kind });
}

/** A note as `status` reads it; one that does not read as a condition is exit 4, naming it. */
function readNote(batchId: string, kind: string, text: string): WaitCondition {
  const parsed = parse(kind, text);
  if (parsed?.success) return parsed.data;
  throw new UnreadableLedgerEntryError(
    `the "${kind}" wait noted for batch ${batchId}`,
    parsed ? issuesText(parsed.error, "note") : "not JSON",
    "The next worker that meets the condition writes it anew.",
  );
}

/** A kind this version knows; a newer version's kinds are not shown (nothing here could say them). */
const known = (kind: string) => (KINDS as readonly string[]).includes(kind);

export function createBatchWaits(
  redis: Redis,
  keys: Keys,
  onError: (error: unknown) => void = () => undefined,
): BatchWaits {
  const noted = new Map<string, number>();
  async function write(batchId: string, kind: WaitKind, reason: string, nowMs: number): Promise<void> {
    const key = keys.waits(batchId);
    // A note that does not read (or none) is simply written anew.
    const read = parse(kind, (await redis.hget(key, kind)) ?? "");
    const before = read?.success ? read.data : null;
    const fresh = before !== null && nowMs - Date.parse(before.last) < WAIT_FRESH_MS;
    const at = new Date(nowMs).toISOString();
    const value: WaitCondition = { kind, since: fresh ? before.since : at, last: at, reason };
    await redis
      .multi()
      .hset(key, kind, JSON.stringify(value))
      .expire(key, 7 * 24 * 3_600)
      .exec();
  }
  return {
    note(batchId, kind, reason, nowMs = Date.now()) {
      const id = `${batchId}\u0000${kind}`;
      if (nowMs - (noted.get(id) ?? -Infinity) < NOTE_EVERY_MS) return;
      noted.set(id, nowMs);
      write(batchId, kind, reason, nowMs).catch(onError);
    },
    async read(batchId, nowMs = Date.now()) {
      const hash = await redis.hgetall(keys.waits(batchId));
      return Object.entries(hash)
        .filter(([kind]) => known(kind))
        .map(([kind, text]) => readNote(batchId, kind, text))
        .filter((c) => nowMs - Date.parse(c.last) < WAIT_FRESH_MS)
        .sort((a, b) => a.since.localeCompare(b.since));
    },
  };
}
