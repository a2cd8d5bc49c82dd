/**
 * Where a final row comes from: one image of one row of a draft batch (issue 21, `promote`).
 * A final row's stored row, its result and its report lines carry it; its content fingerprint
 * includes it (never the image's presigned URL, which the worker fetches fresh before the create).
 * The schema is the type. Pure.
 */
import { z } from "zod";

export const draftRefSchema = z.object({
  /** The draft batch's id. */
  batch: z.string().min(1),
  /** The draft row's key. */
  row: z.string().min(1),
  /** Which of the draft row's images: 1-based, in the order of its run's outputs (`<row>-<n>.<ext>`). */
  image: z.number().int().positive(),
  /** The draft row's run, whose output `image` is the reference (read again before each create). */
  run_id: z.string().min(1),
  /**
   * The image goes into the create as the first of `image_urls` (`promote --as edit`), its URL
   * fetched fresh from the draft's run; false: a fresh sample that only records where it came from.
   */
  reference: z.boolean(),
});

export type DraftRef = z.infer<typeof draftRefSchema>;
