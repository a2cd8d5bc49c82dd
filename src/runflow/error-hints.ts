/**
 * How to fix it: the sentence that ends an API error's message, per status (and per decision
 * where a code outranks its status, see error-table.ts). Pure.
 */
import { apiDecision } from "./error-table.js";

const BY_STATUS: Readonly<Record<number, string>> = {
  401: "Check RUNFLOW_API_KEY: the key is missing, mistyped or revoked.",
  403: "The API key may not do this: check RUNFLOW_API_KEY and the organisation it belongs to.",
  409:
    "The Idempotency-Key was already used with a different body: the row changed since it was first " +
    "submitted; submit it under a new batch id.",
  413: "The request is too large for Runflow: shorten the row's prompt or pass fewer image URLs.",
  422: "Fix the row's input and submit it again.",
  400: "Runflow could not read the request; this is probably a bug in runflow-batch, please report it.",
};

const OUT_OF_CREDIT = "Add credit to the Runflow account (or lower --max-cost), then resume the batch.";
const RATE_LIMITED = "Runflow is rate limiting: lower --concurrency; the request is retried after a pause.";
const UNKNOWN_RUN =
  "The run id is unknown to this account: check RUNFLOW_BASE_URL and that the key belongs to the " +
  "organisation that created it.";
const UNKNOWN_MODEL = "Check the model name (e.g. openai/gpt-image-2) and RUNFLOW_BASE_URL.";
const TRANSIENT = "Runflow or the model provider failed; the request can be retried.";

export function hintFor(status: number, code: string | null, path: string): string {
  const decision = apiDecision(status, code);
  if (status === 401) return BY_STATUS[401] as string;
  if (decision === "out-of-credit") return OUT_OF_CREDIT;
  if (decision === "rate-limited") return RATE_LIMITED;
  if (status === 404) return path.startsWith("/v1/runs/") ? UNKNOWN_RUN : UNKNOWN_MODEL;
  const byStatus = BY_STATUS[status];
  if (byStatus !== undefined) return byStatus;
  if (decision === "retry") return TRANSIENT;
  return "Unexpected answer from Runflow.";
}
