import { describe, expect, it } from "vitest";
import { createMinHeap } from "./min-heap.js";

describe("min-heap", () => {
  it("pops in key order", () => {
    const heap = createMinHeap<number>((n) => n);
    const values = Array.from({ length: 500 }, (_, i) => (i * 7919) % 1000);
    for (const v of values) heap.push(v);
    expect(heap.size()).toBe(500);
    expect(heap.peek()).toBe(0);
    const out: number[] = [];
    for (let v = heap.pop(); v !== undefined; v = heap.pop()) out.push(v);
    expect(out).toEqual([...values].sort((x, y) => x - y));
    expect(heap.size()).toBe(0);
  });
});
