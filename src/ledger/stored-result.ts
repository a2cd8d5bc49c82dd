/**
 * A recorded row's result as kept in the results hash (one JSON document per row): the schema is
 * the type. Read back through zod; fields this version does not know are kept as they are. Pure.
 */
import { z } from "zod";
import { draftRefSchema } from "../core/draft-ref.js";
import { UnreadableResultError } from "./errors.js";

const nullableText = z.string().nullable();

const ROW_STATUSES = ["succeeded", "failed"] as const;

const storedResultSchema = z.looseObject({
  id: z.string(),
  seq: z.number().int(),
  model: z.string(),
  quality: nullableText,
  status: z.enum(ROW_STATUSES),
  run_id: nullableText,
  /** Paths relative to the output directory. */
  images: z.array(z.string()).readonly(),
  estimated_micros: z.number().int(),
  cost_micros: z.number().int(),
  error: nullableText,
  finished_at: z.string(),
  /** The row's prompt, when it has one (results.csv/jsonl and report.html show it). */
  prompt: nullableText.exactOptional(),
  /** The row's metadata as submitted. */
  metadata: z.record(z.string(), z.string()).nullable().exactOptional(),
  /** 1 for the row's first attempt; a retry or a changed row is attempt 2, 3, … */
  attempt: z.number().int().exactOptional(),
  /** When the run was created at Runflow, and how long it took there. */
  created_at: nullableText.exactOptional(),
  duration_ms: z.number().nullable().exactOptional(),
  /** Fingerprint of the row's model + input when recorded: a re-run compares it with the manifest. */
  content_sha: z.string().exactOptional(),
  /** A final row's draft image (promote): results.jsonl/csv list it as draft_batch, draft_row, … */
  draft: draftRefSchema.exactOptional(),
});

export type StoredResult = z.infer<typeof storedResultSchema>;

export function parseStoredResult(batchId: string, row: string, text: string): StoredResult {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw new UnreadableResultError(batchId, row, "not JSON");
  }
  const parsed = storedResultSchema.safeParse(value);
  if (!parsed.success) {
    const detail = parsed.error.issues.map((i) => `${i.path.join(".") || "result"}: ${i.message}`).join("; ");
    throw new UnreadableResultError(batchId, row, detail);
  }
  return parsed.data;
}
