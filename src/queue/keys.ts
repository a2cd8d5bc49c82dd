/**
 * Every Redis key and job id the tool uses, in one place. All keys share the `{prefix}` hash tag,
 * so BullMQ's keys and ours land in one Redis Cluster slot and the Lua scripts may touch them
 * together. Pure.
 */
import { createHash } from "node:crypto";
import type { ModelId } from "../core/models.js";
import { MODELS } from "../core/models.js";

export const DEFAULT_PREFIX = "rfb";
export type QueueName = "generate" | "edit";
export const QUEUE_NAMES: readonly QueueName[] = ["generate", "edit"];

export interface Keys {
  /** BullMQ's `prefix` option: the hash tag. */
  readonly bullPrefix: string;
  /** Sorted set of batch ids by creation time. */
  readonly batches: string;
  batch(id: string): string;
  /** rowKey → run id, written before waiting; survives job retention. */
  runs(id: string): string;
  /** rowKey → result JSON; a row is terminal once it is here. */
  results(id: string): string;
  /** rowKey → reserved micro-dollars. */
  reservations(id: string): string;
  /** rowKey → when its first create POST with an unknown outcome was sent (ms): guards the 24 h idempotency window. */
  posting(id: string): string;
  /** rowKeys held back by the budget cap. */
  held(id: string): string;
  /** "<model>|<quality>|<counter>" → number: per-tier progress for status. */
  tiers(id: string): string;
  /** JSON entries, oldest first: the cap set at creation, each change, the cap stopping the batch. */
  budgetHistory(id: string): string;
  /** "<operation>|<counter>" → number: Runflow API requests, 429s and latency buckets of every process. */
  readonly apiStats: string;
}

export function createKeys(prefix: string = DEFAULT_PREFIX): Keys {
  const tag = `{${prefix}}`;
  const batch = (id: string) => `${tag}:batch:${id}`;
  return {
    bullPrefix: tag,
    batches: `${tag}:batches`,
    batch,
    runs: (id) => `${batch(id)}:runs`,
    results: (id) => `${batch(id)}:results`,
    reservations: (id) => `${batch(id)}:reservations`,
    held: (id) => `${batch(id)}:held`,
    posting: (id) => `${batch(id)}:posting`,
    tiers: (id) => `${batch(id)}:tiers`,
    budgetHistory: (id) => `${batch(id)}:budget-history`,
    apiStats: `${tag}:api-stats`,
  };
}

/** BullMQ job id of a row: re-adding the same row is a no-op. BullMQ refuses `:` in ids, so the key is URI-encoded. */
export function jobIdFor(batchId: string, rowKey: string): string {
  return `${batchId}/${encodeURIComponent(rowKey)}`;
}

export function queueFor(model: ModelId): QueueName {
  return MODELS[model].queue;
}

/**
 * The Idempotency-Key of a row's run: derived from batch + row only, so every attempt, restart
 * and worker sends the same key and Runflow replays the first run instead of billing another.
 */
export function idempotencyKeyFor(batchId: string, rowKey: string): string {
  return "rfb-" + createHash("sha256").update(batchId).update("\u0000").update(rowKey).digest("hex");
}

/** Tier label used in counters and reports: "openai/gpt-image-2|high", "runflow/tag-removal|-". */
export function tierLabel(model: string, quality: string | null): string {
  return `${model}|${quality ?? "-"}`;
}

/** A batch id must be usable in keys, job ids and file names. */
export const BATCH_ID_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;
