/**
 * A batch's row as the ledger keeps it (one JSON document per row in the rows hash): the row as
 * validated and priced when the manifest was read, so workers, feeders and reports never read
 * the manifest again. The schema is the type. Pure.
 */
import { z } from "zod";
import { MODEL_IDS, QUALITIES } from "../core/models.js";
import { draftRefSchema } from "../core/draft-ref.js";
import { ConfigurationError } from "../core/errors.js";

const storedRowSchema = z.object({
  /** Position in the manifest (0-based, among all rows, valid or not): reports list rows in this order. */
  seq: z.number().int().nonnegative(),
  model: z.enum(MODEL_IDS),
  quality: z.enum(QUALITIES).nullable(),
  /** Images the row will produce. */
  images: z.number().int().positive(),
  /** The body's `input`, exactly as it will be POSTed. */
  input: z.record(z.string(), z.unknown()),
  metadata: z.record(z.string(), z.string()).nullable(),
  estimate_micros: z.number().int().nonnegative(),
  /** Fingerprint of model + input (manifest/fingerprint.ts): part of the Idempotency-Key and the plan. */
  content_sha: z.string().min(1),
  /** A final row (promote): the draft image it is made from; its URL is fetched fresh before each create. */
  draft: draftRefSchema.exactOptional(),
});

export type StoredRow = z.infer<typeof storedRowSchema>;

/** A stored row that cannot be read: written by another version, or changed by hand (exit 4). */
class UnreadableRowError extends ConfigurationError {
  constructor(batchId: string, row: string, detail: string) {
    super(
      `row ${row} of batch ${batchId} cannot be read from Redis (${detail}); it was written by another ` +
        "version of runflow-batch or changed by hand. Run the batch's manifest again into its directory.",
    );
  }
}

export function parseStoredRow(batchId: string, row: string, text: string): StoredRow {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw new UnreadableRowError(batchId, row, "not JSON");
  }
  const parsed = storedRowSchema.safeParse(value);
  if (!parsed.success) {
    const detail = parsed.error.issues.map((i) => `${i.path.join(".") || "row"}: ${i.message}`).join("; ");
    throw new UnreadableRowError(batchId, row, detail);
  }
  return parsed.data;
}
