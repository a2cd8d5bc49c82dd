/**
 * Idempotency-Key store (runflow-api.md, chosen): a key binds to the first run created with it
 * and to that request's fingerprint (model path + canonical JSON body) for 24 hours. Same key +
 * same fingerprint → replay that run; same key + another fingerprint → 409 CONFLICT. Only a
 * request that created a run binds its key: a 4xx/5xx answer leaves the key free for a retry.
 */
import { createHash } from "node:crypto";
import { canonicalJson } from "../core/canonical-json.js";

export const IDEMPOTENCY_TTL_MS = 24 * 60 * 60 * 1000;

interface Binding {
  readonly fingerprint: string;
  readonly runId: string;
  readonly expiresMs: number;
}

export type IdempotencyLookup = { kind: "new" } | { kind: "replay"; runId: string } | { kind: "conflict"; runId: string };

export function fingerprintOf(modelPath: string, body: unknown): string {
  return createHash("sha256").update(modelPath).update("\n").update(canonicalJson(body)).digest("base64");
}

export class IdempotencyStore {
  /** Insertion order is expiry order (one fixed TTL), so purging stops at the first live key. */
  private readonly bindings = new Map<string, Binding>();

  constructor(private readonly ttlMs = IDEMPOTENCY_TTL_MS) {}

  lookup(key: string, fingerprint: string, now: number): IdempotencyLookup {
    const binding = this.bindings.get(key);
    if (!binding) return { kind: "new" };
    if (binding.expiresMs <= now) {
      this.bindings.delete(key);
      return { kind: "new" };
    }
    return binding.fingerprint === fingerprint ? { kind: "replay", runId: binding.runId } : { kind: "conflict", runId: binding.runId };
  }

  bind(key: string, fingerprint: string, runId: string, now: number): void {
    this.bindings.delete(key);
    this.bindings.set(key, { fingerprint, runId, expiresMs: now + this.ttlMs });
  }

  purgeExpired(now: number): void {
    for (const [key, binding] of this.bindings) {
      if (binding.expiresMs > now) break;
      this.bindings.delete(key);
    }
  }

  get size(): number {
    return this.bindings.size;
  }
}
