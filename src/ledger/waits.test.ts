import type { Redis } from "ioredis";
import { describe, expect, it } from "vitest";
import { UnreadableLedgerEntryError } from "./errors.js";
import { createKeys } from "./keys.js";
import { createBatchWaits } from "./waits.js";

/** A Redis whose waits hash holds `hash`. */
const holding = (hash: Record<string, string>) =>
  ({ hgetall: async () => ({ ...hash }) }) as unknown as Redis;

const NOW = Date.parse("2026-11-20T08:01:00.000Z");
const note = (since: string, extra: object = {}) =>
  JSON.stringify({ since, last: "2026-11-20T08:00:30.000Z", reason: "429", ...extra });

describe("batch waits", () => {
  it("reads the fresh notes through the schema, oldest first; a newer version's kinds are not shown", async () => {
    const waits = createBatchWaits(
      holding({
        transient: note("2026-11-20T08:00:10.000Z", { reason: undefined }),
        "rate-limited": note("2026-11-20T08:00:00.000Z"),
        "out-of-credit": JSON.stringify({
          since: "2026-11-20T07:00:00.000Z",
          last: "2026-11-20T07:10:00.000Z",
        }),
        "paused-by-newer-version": "anything",
      }),
      createKeys(),
    );
    expect(await waits.read("b1", NOW)).toEqual([
      {
        kind: "rate-limited",
        since: "2026-11-20T08:00:00.000Z",
        last: "2026-11-20T08:00:30.000Z",
        reason: "429",
      },
      { kind: "transient", since: "2026-11-20T08:00:10.000Z", last: "2026-11-20T08:00:30.000Z", reason: "" },
    ]);
  });

  it("says which note of which batch cannot be read, and why", async () => {
    const waits = createBatchWaits(holding({ local: JSON.stringify({ since: "yesterday" }) }), createKeys());
    const failure = await waits.read("b1", NOW).catch((e: unknown) => e);
    expect(failure).toBeInstanceOf(UnreadableLedgerEntryError);
    const message = (failure as Error).message;
    expect(message).toMatch(
      /^the "local" wait noted for batch b1 in Redis cannot be read \(since: .*; last: /,
    );
    expect(message).toContain("); it was written by another version of runflow-batch or changed by hand. ");
  });
});
