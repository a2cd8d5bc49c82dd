/**
 * The schema of a batch's hash in Redis (ledger/batch-record.ts lists its fields): every field a
 * string, counts parsed to numbers, JSON fields parsed and checked, fields older batches lack optional.
 */
import { z } from "zod";
import { MODEL_IDS, QUALITIES } from "../core/models.js";
import { priceTableSchema } from "../pricing/table.js";
import { tierJsonSchema, totalsJsonSchema } from "../pricing/totals.js";

export const BATCH_STATES = ["submitted", "running", "done", "budget", "failed-rows", "canceled"] as const;

const readingOptions = z.object({
  format: z.enum(["csv", "json", "jsonl"]).exactOptional(),
  defaults: z
    .object({ model: z.enum(MODEL_IDS).exactOptional(), quality: z.enum(QUALITIES).exactOptional() })
    .exactOptional(),
  csvWorker: z.boolean().exactOptional(),
  delimiter: z.string().exactOptional(),
  encoding: z.string().exactOptional(),
  label: z.string().exactOptional(),
});

const estimateJson = z.object({ totals: totalsJsonSchema, by_tier: z.array(tierJsonSchema) });

/** How the batch's rows are queued: by any process that serves it (queue/feeder.ts). */
export const feedSettingsSchema = z.object({
  /** Rows kept waiting in the queues ahead of the workers. */
  window: z.number().int().positive(),
  /** Tries per row for transient errors, and the first backoff (BullMQ's job options). */
  retry: z.object({ attempts: z.number().int().positive(), backoffMs: z.number().int().nonnegative() }),
});

/** A JSON document kept in one hash field. */
const json = <T extends z.ZodType>(schema: T) =>
  z
    .string()
    .transform((text, ctx) => {
      try {
        return JSON.parse(text) as unknown;
      } catch {
        ctx.addIssue({ code: "custom", message: "not JSON" });
        return z.NEVER;
      }
    })
    .pipe(schema);

const count = z
  .string()
  .regex(/^-?\d+$/)
  .transform(Number);
const optionalCount = count.optional().transform((n) => n ?? 0);

/** A batch's hash as stored (HGETALL), each field parsed to its value. */
export const batchHash = z.object({
  id: z.string().min(1),
  manifest: z.string(),
  manifest_sha256: z.string(),
  manifest_options: json(readingOptions)
    .optional()
    .transform((o) => o ?? {}),
  rows: count,
  invalid_rows: optionalCount,
  estimate_micros: count,
  estimate_json: json(estimateJson),
  prices_json: json(priceTableSchema),
  metadata_keys: json(z.array(z.string()))
    .optional()
    .transform((keys) => keys ?? []),
  feed_json: json(feedSettingsSchema).optional(),
  out: z.string(),
  endpoint: z.string().min(1),
  account: z.string().min(1),
  cap_micros: z.union([z.literal(""), count]).optional(),
  created_at: z.string(),
  state: z.enum(BATCH_STATES).optional(),
  started_at: z.string().optional(),
  succeeded: optionalCount,
  failed: optionalCount,
  images: optionalCount,
  spent_micros: optionalCount,
  reserved_micros: optionalCount,
  done_estimate_micros: optionalCount,
  fed: optionalCount,
  budget_blocked: z.string().optional(),
  notify_url: z.string().optional(),
  cancel_requested_at: z.string().optional(),
  stop_reason: z.string().optional(),
  ended_at: z.string().optional(),
  end_reason: z.string().optional(),
  reported_at: z.string().optional(),
});
