/**
 * A recorded row's result as kept in the results hash (one JSON document per row), read back
 * through zod. Fields this version does not know are kept as they are. Pure.
 */
import { z } from "zod";
import type { StoredResult } from "../queue/job-data.js";

const nullableText = z.string().nullable();

const storedResult = z.looseObject({
  id: z.string(),
  seq: z.number().int(),
  model: z.string(),
  quality: nullableText,
  status: z.enum(["succeeded", "failed"]),
  run_id: nullableText,
  images: z.array(z.string()),
  estimated_micros: z.number().int(),
  cost_micros: z.number().int(),
  error: nullableText,
  finished_at: z.string(),
  prompt: nullableText.exactOptional(),
  metadata: z.record(z.string(), z.string()).nullable().exactOptional(),
  attempt: z.number().int().exactOptional(),
  created_at: nullableText.exactOptional(),
  duration_ms: z.number().nullable().exactOptional(),
});

/** Thrown when a recorded result cannot be read: written by another version, or edited by hand. */
export class UnreadableResultError extends Error {
  constructor(
    readonly batchId: string,
    readonly row: string,
    detail: string,
  ) {
    super(
      `the recorded result of row ${row} in batch ${batchId} cannot be read (${detail}); it was written by ` +
        "another version of runflow-batch or changed by hand",
    );
    this.name = "UnreadableResultError";
  }
}

export function parseStoredResult(batchId: string, row: string, text: string): StoredResult {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw new UnreadableResultError(batchId, row, "not JSON");
  }
  const parsed = storedResult.safeParse(value);
  if (!parsed.success) {
    const detail = parsed.error.issues.map((i) => `${i.path.join(".") || "result"}: ${i.message}`).join("; ");
    throw new UnreadableResultError(batchId, row, detail);
  }
  return parsed.data;
}
