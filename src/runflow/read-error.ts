/**
 * Reading Runflow's error answers: the flat `{code, message, errors}` envelope (tolerating a
 * nested `{error: {...}}`), each `errors[]` item as one "field: problem" line, and Retry-After.
 * Pure.
 */
import { isRecord } from "./read-run.js";

export interface ErrorBody {
  readonly code: string | null;
  readonly message: string | null;
  readonly errors: readonly string[];
}

const text = (value: unknown): string | null =>
  typeof value === "string" && value.trim() !== "" ? value.trim() : null;

/** `{loc: ["input","quality"], msg: "…"}`, `{field: "input.quality", message: "…"}` or a string: one line. */
export function formatErrorItem(item: unknown): string | null {
  if (typeof item === "string") return text(item);
  if (!isRecord(item)) return null;
  const rawPath = item.field ?? item.path ?? item.loc ?? item.param ?? item.name ?? item.pointer;
  const where = Array.isArray(rawPath) ? rawPath.map(String).join(".") : text(rawPath);
  const what = text(item.message) ?? text(item.msg) ?? text(item.detail) ?? text(item.code);
  if (what === null) return where === null ? JSON.stringify(item) : `${where}: invalid`;
  // Runflow's messages often name the field already ("input.quality must be …"): do not repeat it.
  return where === null || where === "" || what.startsWith(where) ? what : `${where}: ${what}`;
}

export function readErrorBody(body: unknown): ErrorBody {
  if (!isRecord(body)) return { code: null, message: text(body), errors: [] };
  const envelope = isRecord(body.error) ? body.error : body;
  const list = Array.isArray(envelope.errors)
    ? envelope.errors
    : Array.isArray(envelope.detail)
      ? envelope.detail
      : [];
  return {
    code: text(envelope.code) ?? (typeof body.error === "string" ? text(body.error) : null),
    message: text(envelope.message) ?? (typeof envelope.detail === "string" ? text(envelope.detail) : null),
    errors: list.map(formatErrorItem).filter((line): line is string => line !== null),
  };
}

/**
 * Retry-After as milliseconds: delta-seconds ("2", "1.5") or an HTTP date (relative to nowMs).
 * Absent or unreadable → null (the caller backs off on its own schedule); past dates → 0.
 */
export function parseRetryAfter(
  value: string | readonly string[] | null | undefined,
  nowMs: number,
): number | null {
  const raw = Array.isArray(value) ? value[0] : value;
  if (typeof raw !== "string" || raw.trim() === "") return null;
  const trimmed = raw.trim();
  if (/^\d+(?:\.\d+)?$/.test(trimmed)) return Math.round(Number(trimmed) * 1000);
  if (!/[a-z]/i.test(trimmed)) return null; // "-3" would otherwise parse as the year -3
  const date = Date.parse(trimmed);
  if (Number.isNaN(date)) return null;
  return Math.max(0, date - nowMs);
}
