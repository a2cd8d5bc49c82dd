/**
 * Row keys. A row's `id` names its image files, its queue job and its idempotency key, so it
 * must be short and plain; a row without one gets a key derived from what it asks for
 * (model, resolved input, metadata), so the same manifest always maps to the same keys and a
 * changed row is a new job. Pure (hashing only).
 */
import { createHash } from "node:crypto";
import { canonicalJson } from "./normalise.js";

export const MAX_ID_LENGTH = 128;
/** Letters and digits of any script, then also `. _ - + = @ ~`. No spaces, slashes or colons. */
const ID_PATTERN = /^[\p{L}\p{N}_][\p{L}\p{N}._\-+=@~]*$/u;
export const ID_RULE = `1 to ${MAX_ID_LENGTH} letters, digits or . _ - + = @ ~ (starting with a letter, digit or _)`;

/** The id as a string, or what is wrong with it. Numbers in JSON are accepted as their digits. */
export function checkRowId(value: unknown): { ok: true; id: string } | { ok: false; expected: string } {
  const id = typeof value === "number" && Number.isSafeInteger(value) ? String(value) : typeof value === "string" ? value.trim() : null;
  if (id === null) return { ok: false, expected: `text of ${ID_RULE}` };
  if (id.length > MAX_ID_LENGTH) return { ok: false, expected: `at most ${MAX_ID_LENGTH} characters (it has ${id.length})` };
  if (!ID_PATTERN.test(id)) return { ok: false, expected: ID_RULE };
  return { ok: true, id };
}

/** `row-` + the first 16 hex digits of the SHA-256 of the row's canonical content. */
export function deriveRowKey(content: { model: string; input: unknown; metadata: unknown }): string {
  const digest = createHash("sha256").update(canonicalJson(content)).digest("hex");
  return `row-${digest.slice(0, 16)}`;
}
