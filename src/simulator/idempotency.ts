/**
 * Idempotency-Key store (docs/runflow-api.md, chosen): a key binds to the first run created with it
 * and to that request's fingerprint (model path + canonical JSON body) for 24 hours. Same key +
 * same fingerprint → replay that run; same key + another fingerprint → 409 CONFLICT. Only a
 * request that created a run binds its key: a 4xx/5xx answer leaves the key free for a retry.
 * Times are passed in (the simulator's clock), so expiry is testable without waiting 24 hours.
 */
import { createHash } from "node:crypto";
import { canonicalJson } from "../core/canonical-json.js";

export const IDEMPOTENCY_TTL_MS = 24 * 60 * 60 * 1000;

interface Binding {
  readonly fingerprint: string;
  readonly runId: string;
  readonly expiresMs: number;
}

type IdempotencyLookup =
  { kind: "new" } | { kind: "replay"; runId: string } | { kind: "conflict"; runId: string };

export interface IdempotencyStore {
  lookup(key: string, fingerprint: string, now: number): IdempotencyLookup;
  bind(key: string, fingerprint: string, runId: string, now: number): void;
  /** Forgets the keys that expired by `now`. */
  purgeExpired(now: number): void;
  /** Keys held. */
  size(): number;
}

export function fingerprintOf(modelPath: string, body: unknown): string {
  return createHash("sha256").update(modelPath).update("\n").update(canonicalJson(body)).digest("base64");
}

export function createIdempotencyStore(ttlMs = IDEMPOTENCY_TTL_MS): IdempotencyStore {
  /** Insertion order is expiry order (one fixed TTL), so purging stops at the first live key. */
  const bindings = new Map<string, Binding>();
  return {
    lookup(key, fingerprint, now) {
      const binding = bindings.get(key);
      if (!binding) return { kind: "new" };
      if (binding.expiresMs <= now) {
        bindings.delete(key);
        return { kind: "new" };
      }
      const runId = binding.runId;
      return binding.fingerprint === fingerprint ? { kind: "replay", runId } : { kind: "conflict", runId };
    },
    bind(key, fingerprint, runId, now) {
      bindings.delete(key);
      bindings.set(key, { fingerprint, runId, expiresMs: now + ttlMs });
    },
    purgeExpired(now) {
      for (const [key, binding] of bindings) {
        if (binding.expiresMs > now) break;
        bindings.delete(key);
      }
    },
    size: () => bindings.size,
  };
}
