/**
 * What a batch's workers are held up by, for `status` ("waiting for …"): each worker notes the
 * conditions it meets (rate limited, out of credit, transient errors, runs it cannot read, images
 * it cannot write) in one small hash per batch, at most every few seconds per condition; a
 * condition not noted for two minutes is over. Since when a condition has lasted survives the
 * notes of other workers.
 */
import type { Redis } from "ioredis";
import type { Keys } from "./keys.js";

export type WaitKind = "rate-limited" | "out-of-credit" | "transient" | "unreadable" | "local";

export interface WaitCondition {
  readonly kind: WaitKind;
  /** When it started (ISO). */
  readonly since: string;
  /** When a worker last met it (ISO). */
  readonly last: string;
  readonly reason: string;
}

export interface BatchWaits {
  /** A worker met `kind` now (throttled: at most one write per batch and kind every few seconds). */
  note(batchId: string, kind: WaitKind, reason: string, nowMs?: number): void;
  /** The conditions met in the last two minutes, oldest first. */
  read(batchId: string, nowMs?: number): Promise<WaitCondition[]>;
}

/** A condition not met for this long is over. */
const WAIT_FRESH_MS = 120_000;
const NOTE_EVERY_MS = 5_000;
const KINDS: readonly WaitKind[] = ["rate-limited", "out-of-credit", "transient", "unreadable", "local"];

function parse(kind: string, text: string): WaitCondition | null {
  try {
    const value = JSON.parse(text) as Partial<WaitCondition>;
    if (
      !KINDS.includes(kind as WaitKind) ||
      typeof value.since !== "string" ||
      typeof value.last !== "string"
    )
      return null;
    return {
      kind: kind as WaitKind,
      since: value.since,
      last: value.last,
      reason: String(value.reason ?? ""),
    };
  } catch {
    return null;
  }
}

export function createBatchWaits(
  redis: Redis,
  keys: Keys,
  onError: (error: unknown) => void = () => undefined,
): BatchWaits {
  const noted = new Map<string, number>();
  async function write(batchId: string, kind: WaitKind, reason: string, nowMs: number): Promise<void> {
    const key = keys.waits(batchId);
    const before = parse(kind, (await redis.hget(key, kind)) ?? "");
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
        .map(([kind, text]) => parse(kind, text))
        .filter((c): c is WaitCondition => c !== null && nowMs - Date.parse(c.last) < WAIT_FRESH_MS)
        .sort((a, b) => a.since.localeCompare(b.since));
    },
  };
}
