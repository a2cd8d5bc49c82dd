/**
 * The Runflow client's contract, as the worker and commands use it. The client reads the API
 * tolerantly (docs/runflow-api.md) and hands back these normalised shapes.
 */
import type { Micros } from "../core/money.js";

export type RunStatus =
  "queued" | "dispatching" | "running" | "succeeded" | "failed" | "canceled" | "partial_succeeded";
export const TERMINAL_STATUSES: readonly RunStatus[] = [
  "succeeded",
  "failed",
  "canceled",
  "partial_succeeded",
];

export interface Run {
  readonly id: string;
  /** Normalised: "cancelled" is read as "canceled". */
  readonly status: RunStatus;
  readonly terminal: boolean;
  /** Output image URLs in order: outputs[].url, else image_urls[]. Empty until the run succeeds. */
  readonly outputUrls: readonly string[];
  /** Runflow's `cost`, when the run reports one. */
  readonly costMicros: Micros | null;
  readonly failureCode: string | null;
  readonly failureMessage: string | null;
  /** When Runflow created the run (ISO 8601 as sent), and how long it ran there; null when not given. */
  readonly createdAt: string | null;
  readonly durationMs: number | null;
}

export interface CreateRunRequest {
  /** Model path such as "openai/gpt-image-2/edit". */
  readonly model: string;
  readonly input: Readonly<Record<string, unknown>>;
  /** Same key + same body → Runflow replays the first response; nothing is billed twice. */
  readonly idempotencyKey: string;
  readonly metadata?: Readonly<Record<string, string>> | null;
  readonly callbackUrl?: string | null;
  readonly clientRef?: string;
}

export interface Balance {
  readonly balanceMicros: Micros;
  readonly lowBalanceThresholdMicros: Micros | null;
}

export interface DownloadRequest {
  readonly runId: string;
  /** Position of the output in Run.outputUrls. */
  readonly index: number;
  readonly url: string;
  /** Path without extension; the extension comes from the content type (png, jpg, webp). */
  readonly destBase: string;
  /**
   * Where the partial file is written before it is renamed into place (same file system);
   * default: beside the destination. A crash mid-download leaves its partial file here.
   */
  readonly tempDir?: string;
  /**
   * The caller made the destination's directory and tempDir already (once per batch): no mkdir
   * per image. Should one have gone since, it is made again and the write tried once more.
   */
  readonly dirsReady?: boolean | undefined;
  /**
   * Where the image goes when it is not a local file (object storage): the whole body is handed
   * over once it is complete and checked, named `<destBase>.<ext>`; nothing is written before.
   */
  readonly writer?: OutputWriter;
}

/** Writes a whole downloaded image (object storage); returns its name in the batch's directory. */
export interface OutputWriter {
  write(name: string, body: Buffer, contentType: string): Promise<string>;
}

export interface Download {
  readonly path: string;
  readonly bytes: number;
  readonly contentType: string;
}

export interface RunflowClient {
  createRun(request: CreateRunRequest): Promise<Run>;
  getRun(id: string): Promise<Run>;
  getBalance(): Promise<Balance>;
  /**
   * Streams to a temporary file, renames when complete; re-reads the run once for a fresh URL if
   * the old one expired.
   */
  downloadOutput(request: DownloadRequest): Promise<Download>;
  close(): Promise<void>;
}

/** What to do about a failed request. One pure function decides (errors.ts, classifyError). */
export type ErrorDecision =
  | { readonly kind: "retry"; readonly reason: string }
  | { readonly kind: "rate-limited"; readonly retryAfterMs: number | null }
  | { readonly kind: "out-of-credit"; readonly reason: string }
  | { readonly kind: "configuration"; readonly reason: string }
  /** This machine could not write a result (directory gone, no permission, disk full): not Runflow's. */
  | { readonly kind: "local"; readonly reason: string }
  | { readonly kind: "permanent"; readonly reason: string };
