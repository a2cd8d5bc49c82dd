/**
 * A batch an earlier runflow-batch left half done under the key layout before per-batch hash
 * tags (every key under `{prefix}`): on a single Redis, the first command that reads it moves it
 * into its own tag, and a worker finishes it — the rows recorded before stay recorded, the rows
 * with a run resume it, the others are queued again — every row billed once. Nothing of the old
 * layout is left.
 */
import path from "node:path";
import { describe, expect, it } from "vitest";
import { cli } from "../helpers/cli.js";
import { eventually } from "../helpers/eventually.js";
import { generations, tempDir, writeJsonl } from "../helpers/manifests.js";
import { useTestbed } from "../helpers/testbed.js";
import { createKeys } from "../../src/ledger/keys.js";

describe("a batch stored under the earlier key layout", () => {
  const bed = useTestbed({ latencyMs: { min: 300, max: 900 }, seed: 13 });

  /**
   * Renames the batch's keys to where the earlier layout kept them (what an upgrade finds); returns
   * how many it moved. A key that expires meanwhile is not there to move: a lane's rate-limiter
   * counter lives one second (BullMQ sets it with PX 1000), less than KEYS and the renames after
   * it can take on a busy machine.
   */
  async function toEarlierLayout(batch: string): Promise<number> {
    const keys = createKeys(bed.redis.prefix);
    const tag = keys.bullPrefixFor(batch);
    const found = await bed.redis.redis.keys(`${tag}:*`);
    let moved = 0;
    for (const key of found) {
      const part = key.slice(tag.length + 1);
      const lane = part.startsWith(`generate-${batch}:`) || part.startsWith(`edit-${batch}:`);
      const old =
        part === "batch"
          ? keys.legacyBatch(batch)
          : lane
            ? `${keys.bullPrefix}:${part}`
            : `${keys.legacyBatch(batch)}:${part}`;
      const gone = await bed.redis.redis.rename(key, old).then(
        () => false,
        (error: unknown) => (/no such key/i.test(String(error)) ? true : Promise.reject(error)),
      );
      if (!gone) moved++;
    }
    return moved;
  }

  it("is moved on its first read and finished by a worker, every row billed once", async () => {
    const dir = await tempDir();
    const manifest = await writeJsonl(dir, generations(40));
    const submitted = await cli(["submit", manifest, "--out", path.join(dir, "out")], bed.env());
    expect(submitted.code, submitted.stderr).toBe(0);
    const batch = submitted.stdout.trim();
    const store = bed.store();
    const first = bed.worker(["--concurrency", "8", "--poll-interval", "50"]);
    await eventually(
      async () => {
        const b = await store.get(batch);
        return b !== null && b.succeeded >= 8 && b.inFlight >= 3;
      },
      { timeoutMs: 30_000, what: "some rows recorded and others in flight" },
    );
    first.child.kill("SIGKILL");
    await first.exited;
    const atUpgrade = (await store.get(batch))!;
    expect(await toEarlierLayout(batch)).toBeGreaterThan(10);
    expect(await store.get(batch)).toMatchObject({ succeeded: atUpgrade.succeeded }); // moved back on read
    await toEarlierLayout(batch); // and again: the worker is the first to read it now

    bed.worker(["--concurrency", "8", "--poll-interval", "50"]);
    await eventually(async () => (await store.get(batch))?.state === "done", {
      timeoutMs: 60_000,
      what: "a worker to finish the moved batch",
    });
    const ledger = bed.sim.ledger();
    expect(ledger.runsCreated).toBe(40);
    for (const runs of Object.values(ledger.byClientRef)) expect(runs).toHaveLength(1);
    expect(await store.get(batch)).toMatchObject({
      succeeded: 40,
      failed: 0,
      reservedMicros: 0,
      spentMicros: ledger.billedMicros,
    });
    const keys = createKeys(bed.redis.prefix);
    expect(await bed.redis.redis.keys(`${keys.legacyBatch(batch)}*`)).toEqual([]);
    expect(await bed.redis.redis.keys(`${keys.bullPrefix}:*-${batch}:*`)).toEqual([]);
  });
});
