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
  /** rowKey → the row as validated and priced (stored-row.ts): what workers, feeders and reports read. */
  rows(id: string): string;
  /** The batch's row keys in manifest order (a list). */
  order(id: string): string;
  /** A manifest pass writes the rows here first; they replace `rows`/`order` once the batch is opened. */
  staging(id: string, token: string, part: "rows" | "order"): string;
  /** rowKey → the content fingerprint of the run saved in `runs` (what it was created with). */
  runShas(id: string): string;
  /** rowKey → reserved micro-dollars. */
  reservations(id: string): string;
  /** rowKey → when its first create POST with an unknown outcome was sent (ms): guards the 24 h idempotency window. */
  posting(id: string): string;
  /** rowKeys held back by the budget cap. */
  held(id: string): string;
  /** "<model>|<quality>|<counter>" → number: per-tier progress for status. */
  tiers(id: string): string;
  /** rowKey → its attempt number when above 1 (a retried, changed or re-added row is a new attempt). */
  attempts(id: string): string;
  /** rowKey → its earlier attempts' results, one JSON line each (they stay in the cost figures). */
  history(id: string): string;
  /** rowKey → the result of a row the manifest no longer has (reports list it as `removed`). */
  removed(id: string): string;
  /** Set of batch ids queued by `submit` for the workers of one binding (endpoint + account) to discover. */
  active(bindingId: string): string;
  /** JSON entries, oldest first: the cap set at creation, each change, the cap stopping the batch. */
  budgetHistory(id: string): string;
  /** condition → JSON {since, last, reason}: what workers of the batch are held up by (status says it). */
  waits(id: string): string;
  /** "<operation>|<counter>" → number: Runflow API requests, 429s and latency buckets of every process. */
  readonly apiStats: string;
  /** Pub/sub channel: run ids whose callback arrived at some process's receiver. */
  readonly callbacks: string;
  /** Token bucket of the shared request rate limit of one binding (--max-rps). */
  rateLimit(bindingId: string): string;
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
    rows: (id) => `${batch(id)}:rows`,
    order: (id) => `${batch(id)}:order`,
    staging: (id, token, part) => `${batch(id)}:staging:${token}:${part}`,
    runShas: (id) => `${batch(id)}:run-shas`,
    reservations: (id) => `${batch(id)}:reservations`,
    held: (id) => `${batch(id)}:held`,
    posting: (id) => `${batch(id)}:posting`,
    tiers: (id) => `${batch(id)}:tiers`,
    attempts: (id) => `${batch(id)}:attempts`,
    history: (id) => `${batch(id)}:history`,
    removed: (id) => `${batch(id)}:removed`,
    active: (bindingId) => `${tag}:active:${bindingId}`,
    budgetHistory: (id) => `${batch(id)}:budget-history`,
    waits: (id) => `${batch(id)}:waits`,
    apiStats: `${tag}:api-stats`,
    callbacks: `${tag}:callbacks`,
    rateLimit: (bindingId) => `${tag}:rate-limit:${bindingId}`,
  };
}

/**
 * BullMQ job id of a row's attempt: re-adding the same attempt is a no-op, a new attempt is a new
 * job. BullMQ refuses `:` in ids, so the key is URI-encoded.
 */
export function jobIdFor(batchId: string, rowKey: string, attempt: number): string {
  return `${batchId}/${encodeURIComponent(rowKey)}/${attempt}`;
}

/** A batch's own queue for one kind of work: every batch has its own pair (its "lane"). */
export function laneQueueName(batchId: string, name: QueueName): string {
  return `${name}-${batchId}`;
}

export function queueFor(model: ModelId): QueueName {
  return MODELS[model].queue;
}

/**
 * The Idempotency-Key of a row's run: batch + row + what the row asks for + attempt. Every
 * restart, retry of a request and worker of one attempt sends the same key, so Runflow replays
 * the first run instead of billing another; a changed row or a new attempt can never replay an
 * old run.
 */
export function idempotencyKeyFor(
  batchId: string,
  rowKey: string,
  contentSha: string,
  attempt: number,
): string {
  const hash = createHash("sha256").update(batchId).update("\u0000").update(rowKey);
  return (
    "rfb-" + hash.update("\u0000").update(contentSha).update("\u0000").update(String(attempt)).digest("hex")
  );
}

/** Tier label used in counters and reports: "openai/gpt-image-2|high", "runflow/tag-removal|-". */
export function tierLabel(model: string, quality: string | null): string {
  return `${model}|${quality ?? "-"}`;
}

/** A batch id must be usable in keys, job ids and file names. */
export const BATCH_ID_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;
