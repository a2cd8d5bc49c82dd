/**
 * Tolerant reading of Runflow's answers into the client's shapes (docs/runflow-api.md). Pure: no I/O;
 * anything odd but survivable (an unknown status, an unreadable cost) is reported through
 * `onWarning` and read as the safe choice instead of failing the row.
 */
import { parseUsdValue, type Micros } from "../core/money.js";
import type { Balance, Run, RunStatus } from "./types.js";
import { TERMINAL_STATUSES } from "./types.js";

export type ReadWarning =
  | { readonly kind: "unknown-status"; readonly runId: string; readonly status: string }
  | { readonly kind: "unreadable-cost"; readonly runId: string; readonly cost: unknown };

export type OnReadWarning = (warning: ReadWarning) => void;

/** A body that cannot be read as a run or a balance; the caller wraps it in RunflowResponseError. */
export class UnreadableBodyError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "UnreadableBodyError";
  }
}

const KNOWN: Readonly<Record<string, RunStatus>> = {
  queued: "queued",
  dispatching: "dispatching",
  running: "running",
  succeeded: "succeeded",
  failed: "failed",
  canceled: "canceled",
  cancelled: "canceled",
  partial_succeeded: "partial_succeeded",
};

export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

const stringOrNull = (value: unknown): string | null =>
  typeof value === "string" && value !== "" ? value : null;

/** "cancelled" and "CANCELED" → "canceled"; null when the value is not a status this client knows. */
export function readStatus(value: unknown): RunStatus | null {
  if (typeof value !== "string") return null;
  return KNOWN[value.trim().toLowerCase()] ?? null;
}

/** outputs[].url first; image_urls[] when outputs gives none; images[].url as a last resort. */
export function readOutputUrls(output: unknown): string[] {
  if (!isRecord(output)) return [];
  const fromObjects = (list: unknown): string[] =>
    Array.isArray(list)
      ? list.flatMap((item) =>
          isRecord(item) && typeof item.url === "string" && item.url !== "" ? [item.url] : [],
        )
      : [];
  const outputs = fromObjects(output.outputs);
  if (outputs.length > 0) return outputs;
  const imageUrls = Array.isArray(output.image_urls)
    ? output.image_urls.filter((url): url is string => typeof url === "string" && url !== "")
    : [];
  if (imageUrls.length > 0) return imageUrls;
  return fromObjects(output.images);
}

/** "0.133000" → 133000; a JSON number is tolerated; null/absent → null; anything else → undefined. */
export function readCost(value: unknown): Micros | null | undefined {
  if (value === null || value === undefined || value === "") return null;
  try {
    return parseUsdValue(value);
  } catch {
    return undefined;
  }
}

export function readRun(body: unknown, onWarning: OnReadWarning = () => {}): Run {
  if (!isRecord(body)) throw new UnreadableBodyError("expected a run record (a JSON object)");
  // Some answers wrap the record: {"run": {...}} or {"data": {...}}.
  const record = isRecord(body.run)
    ? body.run
    : isRecord(body.data) && body.id === undefined
      ? body.data
      : body;
  const id = typeof record.id === "string" || typeof record.id === "number" ? String(record.id) : "";
  if (id === "") throw new UnreadableBodyError("the run record has no id");
  const rawStatus = record.status_code ?? record.status;
  let status = readStatus(rawStatus);
  if (status === null) {
    onWarning({ kind: "unknown-status", runId: id, status: String(rawStatus) });
    status = "running"; // not terminal: keep polling rather than give up on a run that may still bill
  }
  const cost = readCost(record.cost);
  if (cost === undefined) onWarning({ kind: "unreadable-cost", runId: id, cost: record.cost });
  return {
    id,
    status,
    terminal: TERMINAL_STATUSES.includes(status),
    outputUrls: readOutputUrls(record.output),
    costMicros: cost ?? null,
    failureCode: stringOrNull(record.failure_code),
    failureMessage: stringOrNull(record.failure_message),
    createdAt: stringOrNull(record.created_at),
    durationMs: readDurationMs(record),
  };
}

/** ms between two ISO 8601 timestamps (Runflow's clock on both ends); null unless both read and in order. */
function msBetween(from: string | null | undefined, to: string | null | undefined): number | null {
  if (!from || !to) return null;
  const ms = Date.parse(to) - Date.parse(from);
  return Number.isFinite(ms) && ms >= 0 ? ms : null;
}

/**
 * How long a run took at Runflow: its `duration_ms`; when that is null or absent (the docs allow
 * it), `completed_at − created_at`. Null when neither is given (a waiting worker then measures it).
 */
export function readDurationMs(record: Record<string, unknown>): number | null {
  const given = record.duration_ms;
  if (typeof given === "number" && Number.isFinite(given) && given >= 0) return given;
  return msBetween(stringOrNull(record.created_at), stringOrNull(record.completed_at));
}

/** `{"balance": "12.450000", "low_balance_threshold": "1.000000"}` → micros. */
export function readBalance(body: unknown): Balance {
  if (!isRecord(body)) throw new UnreadableBodyError("expected a balance record (a JSON object)");
  const balance = readCost(body.balance);
  if (balance === null || balance === undefined) {
    throw new UnreadableBodyError(
      `expected "balance" as a dollar amount such as "12.450000", got ${JSON.stringify(body.balance)}`,
    );
  }
  return { balanceMicros: balance, lowBalanceThresholdMicros: readCost(body.low_balance_threshold) ?? null };
}
