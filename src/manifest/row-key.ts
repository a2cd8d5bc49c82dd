/**
 * Row keys. A row's `id` names its queue job, its idempotency key and (sanitised by the worker,
 * see worker/file-names.ts) its image files, so any printable text of modest length will do:
 * catalogue SKUs such as `ABC/123` are welcome. A row without one gets a key derived from what it asks for
 * (model, resolved input, metadata), so the same manifest always maps to the same keys and a
 * changed row is a new job. Pure (hashing only).
 */
import { createHash } from "node:crypto";
import { canonicalJson } from "../core/canonical-json.js";

const MAX_ID_LENGTH = 128;
/** Any text without control characters (tabs, newlines, NUL …). */
const ID_PATTERN = /^[^\p{Cc}]+$/u;
export const ID_RULE = `1 to ${MAX_ID_LENGTH} characters of text, without control characters such as tabs or newlines`;

/** The id as a string, or what is wrong with it. Numbers in JSON are accepted as their digits. */
export function checkRowId(value: unknown): { ok: true; id: string } | { ok: false; expected: string } {
  const id =
    typeof value === "number" && Number.isSafeInteger(value)
      ? String(value)
      : typeof value === "string"
        ? value.trim()
        : null;
  if (id === null) return { ok: false, expected: `text of ${ID_RULE}` };
  if (id.length > MAX_ID_LENGTH)
    return { ok: false, expected: `at most ${MAX_ID_LENGTH} characters (it has ${id.length})` };
  if (id === "" || !ID_PATTERN.test(id)) return { ok: false, expected: ID_RULE };
  return { ok: true, id };
}

/** `row-` + the first 16 hex digits of the SHA-256 of the row's canonical content. */
export function deriveRowKey(content: { model: string; input: unknown; metadata: unknown }): string {
  const digest = createHash("sha256").update(canonicalJson(content)).digest("hex");
  return `row-${digest.slice(0, 16)}`;
}
