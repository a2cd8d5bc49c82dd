import type { Redis } from "ioredis";
import { describe, expect, it } from "vitest";
import { createBudgetHistory } from "./budget-history.js";
import { UnreadableLedgerEntryError } from "./errors.js";
import { createKeys } from "./keys.js";

/** A Redis whose budget-history list holds `entries`. */
const holding = (entries: readonly string[]) => ({ lrange: async () => [...entries] }) as unknown as Redis;

describe("budget history", () => {
  it("reads its events through the schema", async () => {
    const events = [
      { at: "2026-11-20T08:00:00.000Z", kind: "created", cap_micros: 5_000_000 },
      {
        at: "2026-11-20T09:00:00.000Z",
        kind: "changed",
        cap_micros: null,
        previous_cap_micros: 5_000_000,
        spent_micros: 1_200_000,
      },
    ];
    const history = createBudgetHistory(holding(events.map((e) => JSON.stringify(e))), createKeys());
    expect(await history.read("b1")).toEqual(events);
  });

  it("says which entry of which batch cannot be read, and why", async () => {
    const good = JSON.stringify({ at: "2026-11-20T08:00:00.000Z", kind: "created", cap_micros: null });
    const bad = JSON.stringify({ at: "2026-11-20T09:00:00.000Z", kind: "raised", cap_micros: "5" });
    const history = createBudgetHistory(holding([good, bad]), createKeys());
    const failure = await history.read("b1").catch((e: unknown) => e);
    expect(failure).toBeInstanceOf(UnreadableLedgerEntryError);
    const message = (failure as Error).message;
    expect(message).toMatch(
      /^entry 2 of batch b1's budget history in Redis cannot be read \(kind: .*; cap_micros: /,
    );
    expect(message).toContain("); it was written by another version of runflow-batch or changed by hand. ");
    const notJson = createBudgetHistory(holding(["{"]), createKeys());
    await expect(notJson.read("b1")).rejects.toThrow(
      "entry 1 of batch b1's budget history in Redis cannot be read (not JSON)",
    );
  });
});
