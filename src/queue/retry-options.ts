/** How often a row is retried on transient errors, and how long to wait first. */
import { ROW_RETRY_DEFAULTS } from "../config/defaults.js";
export interface RetryOptions {
  /** Tries per row for transient errors (5xx, network) before it is recorded as failed. */
  readonly attempts: number;
  /** First backoff; later ones double, with jitter. */
  readonly backoffMs: number;
}

export const DEFAULT_RETRY_OPTIONS: RetryOptions = ROW_RETRY_DEFAULTS;
