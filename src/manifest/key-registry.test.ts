import { describe, expect, it } from "vitest";
import { KeyRegistry } from "./key-registry.js";

describe("KeyRegistry", () => {
  it("returns null the first time and the earlier position after", () => {
    const keys = new KeyRegistry(4);
    expect(keys.claim("a", 2)).toBeNull();
    expect(keys.claim("b", 3)).toBeNull();
    expect(keys.claim("a", 9)).toBe(2);
    expect(keys.claim("", 10)).toBeNull();
    expect(keys.claim("", 11)).toBe(10);
    expect(keys.size).toBe(3);
  });

  it("keeps every key exactly across growth (200,000 distinct keys, then all repeated)", () => {
    const keys = new KeyRegistry(16);
    for (let i = 0; i < 200_000; i++) expect(keys.claim(`item-${i}`, i)).toBeNull();
    expect(keys.size).toBe(200_000);
    let repeats = 0;
    for (let i = 0; i < 200_000; i++) if (keys.claim(`item-${i}`, 0) === i) repeats++;
    expect(repeats).toBe(200_000);
    expect(keys.claim("item-x", 1)).toBeNull();
  });
});
