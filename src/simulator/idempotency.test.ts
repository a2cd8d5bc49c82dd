import { describe, expect, it } from "vitest";
import { canonicalJson } from "../core/canonical-json.js";
import { createIdempotencyStore, fingerprintOf, IDEMPOTENCY_TTL_MS } from "./idempotency.js";

describe("idempotency keys", () => {
  const a = fingerprintOf("openai/gpt-image-2", { input: { prompt: "x", quality: "low" } });
  const b = fingerprintOf("openai/gpt-image-2", { input: { prompt: "y" } });

  it("replay within 24 h, conflict on another body, and a fresh start after expiry", () => {
    const store = createIdempotencyStore();
    expect(store.lookup("k", a, 0)).toEqual({ kind: "new" });
    store.bind("k", a, "run-1", 0);
    expect(store.lookup("k", a, IDEMPOTENCY_TTL_MS - 1)).toEqual({ kind: "replay", runId: "run-1" });
    expect(store.lookup("k", b, 1000)).toEqual({ kind: "conflict", runId: "run-1" });
    expect(store.lookup("k", b, IDEMPOTENCY_TTL_MS)).toEqual({ kind: "new" });
  });

  it("purges expired keys and keeps live ones", () => {
    const store = createIdempotencyStore();
    store.bind("old", a, "run-2", 0);
    store.bind("young", a, "run-3", 10);
    store.purgeExpired(IDEMPOTENCY_TTL_MS + 5);
    expect(store.size()).toBe(1);
    expect(store.lookup("young", a, IDEMPOTENCY_TTL_MS + 5)).toEqual({ kind: "replay", runId: "run-3" });
  });

  it("fingerprints ignore key order but not values, array order or the model path", () => {
    expect(fingerprintOf("openai/gpt-image-2", { input: { quality: "low", prompt: "x" } })).toBe(a);
    expect(b).not.toBe(a);
    const order = (urls: string[]) =>
      fingerprintOf("openai/gpt-image-2/edit", { input: { image_urls: urls } });
    expect(order(["1", "2"])).not.toBe(order(["2", "1"]));
    expect(fingerprintOf("openai/gpt-image-1.5", { input: { prompt: "x", quality: "low" } })).not.toBe(a);
  });

  it("fingerprints canonical JSON: keys sorted at every level, arrays and values as given", () => {
    expect(canonicalJson({ b: 1, a: { d: [1, 2], c: null } })).toBe('{"a":{"c":null,"d":[1,2]},"b":1}');
    expect(canonicalJson({ a: [2, 1] })).not.toBe(canonicalJson({ a: [1, 2] }));
  });
});
