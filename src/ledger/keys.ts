/**
 * Every Redis key and job id the tool uses, in one place. Pure.
 *
 * Key layout (Redis Cluster ready; the same on a single Redis). A key's slot is decided by the
 * part between its first `{` and `}` (its hash tag); a Lua script, a MULTI or a pipeline may only
 * touch keys of one slot, and BullMQ needs every key of a queue in one slot. So:
 *
 * - Each batch has its own tag, `{<prefix>:<batchId>}`: its record and everything of it — rows,
 *   order, staging, results, runs, run shas, reservations, posting, held, tiers, attempts,
 *   history, removed, budget history, waits, picks, finals, create bodies — and the BullMQ keys
 *   of its own lane queues (bullPrefixFor). One batch stays in one slot, so the ledger's scripts
 *   keep it exact; different batches spread over a cluster's shards.
 *
 *     {rfb:B}:batch  {rfb:B}:rows  {rfb:B}:order  {rfb:B}:results  …  {rfb:B}:generate-B:wait
 *
 * - What is shared by batches keeps the plain tag `{<prefix>}`: the batches sorted set, the
 *   pools of submitted batches per binding, API request counters, the callbacks channel, the
 *   shared rate limits and the schedules (their BullMQ queue and occurrence records).
 *
 *     {rfb}:batches  {rfb}:active:<binding>  {rfb}:api-stats  {rfb}:callbacks
 *     {rfb}:rate-limit:<binding>  {rfb}:schedules:… (BullMQ)  {rfb}:schedule:<name>:…
 *
 * No command, script or transaction mixes a batch's keys with global ones: creating a batch
 * writes its record (a script on the batch's slot), then lists it (ZADD NX, idempotent). Every
 * Lua script takes the keys it touches through KEYS. Batches stored under the layout before this
 * one (`{<prefix>}:batch:<id>`, `legacyBatch`) are moved on their first read (legacy-layout.ts).
 */
import { createHash } from "node:crypto";
import { CONNECTION_DEFAULTS } from "../config/defaults.js";
import type { ModelId } from "../core/models.js";
import { MODELS } from "../core/models.js";

export type QueueName = "generate" | "edit";
export const QUEUE_NAMES: readonly QueueName[] = ["generate", "edit"];

export interface Keys {
  /** BullMQ's `prefix` option of the queues batches share (the schedules queue): the global tag. */
  readonly bullPrefix: string;
  /** BullMQ's `prefix` option of a batch's own lane queues: the batch's tag. */
  bullPrefixFor(batchId: string): string;
  /** Sorted set of batch ids by creation time (global). */
  readonly batches: string;
  /** The batch's record (a hash). */
  batch(id: string): string;
  /** The batch's record under the key layout before per-batch tags: read only to say it is there. */
  legacyBatch(id: string): string;
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
  /** JSON [row, image] → JSON {pick, note, at}: reviewers' picks and rejects (ledger/picks.ts). */
  picks(id: string): string;
  /** JSON [row, image] → JSON {batch, row}: the final rows promoted from a draft batch's images. */
  finals(id: string): string;
  /** rowKey → the exact create body of its current attempt, for rows made from a draft image. */
  createBodies(id: string): string;
  /** "<operation>|<counter>" → number: Runflow API requests, 429s and latency buckets of every process. */
  readonly apiStats: string;
  /** Pub/sub channel: run ids whose callback arrived at some process's receiver. */
  readonly callbacks: string;
  /** Token bucket of the shared request rate limit of one binding (--max-rps). */
  rateLimit(bindingId: string): string;
  /** List, newest last: latencies of one model's ended runs on one binding (worker/latency-store.ts). */
  latencies(bindingId: string, model: string): string;
  /** Hash: the request rate one binding is known to take (ratelimit/known-rate.ts). */
  knownRate(bindingId: string): string;
}

export function createKeys(prefix: string = CONNECTION_DEFAULTS.redisPrefix): Keys {
  const tag = `{${prefix}}`;
  /** Everything of one batch, under its own hash tag. */
  const of = (id: string, part: string) => `{${prefix}:${id}}:${part}`;
  return {
    bullPrefix: tag,
    bullPrefixFor: (id) => `{${prefix}:${id}}`,
    batches: `${tag}:batches`,
    batch: (id) => of(id, "batch"),
    legacyBatch: (id) => `${tag}:batch:${id}`,
    runs: (id) => of(id, "runs"),
    results: (id) => of(id, "results"),
    rows: (id) => of(id, "rows"),
    order: (id) => of(id, "order"),
    staging: (id, token, part) => of(id, `staging:${token}:${part}`),
    runShas: (id) => of(id, "run-shas"),
    reservations: (id) => of(id, "reservations"),
    held: (id) => of(id, "held"),
    posting: (id) => of(id, "posting"),
    tiers: (id) => of(id, "tiers"),
    attempts: (id) => of(id, "attempts"),
    history: (id) => of(id, "history"),
    removed: (id) => of(id, "removed"),
    active: (bindingId) => `${tag}:active:${bindingId}`,
    budgetHistory: (id) => of(id, "budget-history"),
    waits: (id) => of(id, "waits"),
    picks: (id) => of(id, "picks"),
    finals: (id) => of(id, "finals"),
    createBodies: (id) => of(id, "create-bodies"),
    apiStats: `${tag}:api-stats`,
    callbacks: `${tag}:callbacks`,
    rateLimit: (bindingId) => `${tag}:rate-limit:${bindingId}`,
    latencies: (bindingId, model) => `${tag}:latencies:${bindingId}:${model}`,
    knownRate: (bindingId) => `${tag}:known-rate:${bindingId}`,
  };
}

/**
 * BullMQ job id of a row's attempt with this content: re-adding the same job is a no-op; a new
 * attempt, or the row's content changed since a job was queued for it, is a new job. BullMQ refuses
 * `:` in ids, so the key is URI-encoded.
 */
export function jobIdFor(batchId: string, rowKey: string, attempt: number, contentSha: string): string {
  return `${batchId}/${encodeURIComponent(rowKey)}/${attempt}/${contentSha.slice(0, 12)}`;
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
