import { describe, expect, it } from "vitest";
import { createKeys, type Keys } from "./keys.js";

/** The part of a key Redis Cluster hashes: between the first `{` and the next `}`, when not empty. */
function hashTag(key: string): string {
  const open = key.indexOf("{");
  const close = open < 0 ? -1 : key.indexOf("}", open + 1);
  return close > open + 1 ? key.slice(open + 1, close) : key;
}

/** Every key of one batch the Keys hand out (a key added to Keys must be listed here or below). */
function batchKeys(keys: Keys, id: string): string[] {
  return [
    keys.bullPrefixFor(id),
    keys.batch(id),
    keys.runs(id),
    keys.results(id),
    keys.rows(id),
    keys.order(id),
    keys.staging(id, "t0", "rows"),
    keys.staging(id, "t0", "order"),
    keys.runShas(id),
    keys.reservations(id),
    keys.posting(id),
    keys.held(id),
    keys.tiers(id),
    keys.attempts(id),
    keys.history(id),
    keys.removed(id),
    keys.budgetHistory(id),
    keys.waits(id),
    keys.picks(id),
    keys.finals(id),
    keys.createBodies(id),
  ];
}

const GLOBAL = [
  ...["bullPrefix", "batches", "legacyBatch", "active", "apiStats", "callbacks", "rateLimit"],
  ...["latencies", "knownRate"],
];

describe("key layout", () => {
  const keys = createKeys("rfb");

  it("keeps every key of a batch under the batch's own hash tag, so in one cluster slot", () => {
    expect(new Set(batchKeys(keys, "night-1").map(hashTag))).toEqual(new Set(["rfb:night-1"]));
    expect(new Set(batchKeys(keys, "night-2").map(hashTag))).toEqual(new Set(["rfb:night-2"]));
    expect(new Set(batchKeys(keys, "night-1")).size).toBe(batchKeys(keys, "night-1").length);
  });

  it("keeps what batches share under the prefix's own tag", () => {
    const shared = [
      keys.bullPrefix,
      keys.batches,
      keys.legacyBatch("night-1"),
      keys.active("binding"),
      keys.apiStats,
      keys.callbacks,
      keys.rateLimit("binding"),
      keys.latencies("binding", "openai/gpt-image-2"),
      keys.knownRate("binding"),
    ];
    expect(new Set(shared.map(hashTag))).toEqual(new Set(["rfb"]));
  });

  it("lists every key of the layout in this test", () => {
    const listed = new Set([...GLOBAL, "bullPrefixFor", "batch", "runs", "results", "rows", "order"]);
    for (const name of ["staging", "runShas", "reservations", "posting", "held", "tiers", "attempts"])
      listed.add(name);
    for (const name of ["history", "removed", "budgetHistory", "waits"]) listed.add(name);
    for (const name of ["picks", "finals", "createBodies"]) listed.add(name);
    expect(Object.keys(keys).sort()).toEqual([...listed].sort());
  });
});
