/**
 * What a BullMQ job carries: which attempt of which row, nothing more. The row itself (its input,
 * metadata, price) is kept once, in the batch's row store (ledger/row-store.ts); the worker reads
 * it when it takes the job (worker/load-row.ts). The schema is the type (BullMQ hands the data back
 * as written, so nothing parses it; it is public as the one description of a job).
 */
import { z } from "zod";

/** @public */
export const rowJobDataSchema = z.object({
  batch: z.string(),
  /** The row's key in the batch. */
  key: z.string(),
  /** 1 for the row's first attempt; the idempotency key and the job id include it. */
  attempt: z.number().int().positive(),
  /** Fingerprint of the row's model + input when it was queued: part of the job id and the idempotency key. */
  contentSha: z.string(),
});

export type RowJobData = z.infer<typeof rowJobDataSchema>;
