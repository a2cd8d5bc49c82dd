/**
 * The worst bug this product can have is paying twice for a row. Real worker processes: one is
 * killed with SIGKILL mid-batch and another finishes the batch; two share one batch. The
 * simulator's ledger must show exactly one run per row. The simulator runs on a manual clock: a
 * run ends only when the test lets time pass, so the kill comes at a state the test chose.
 */
import { readdir } from "node:fs/promises";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { cli } from "../helpers/cli.js";
import { advanceUntil } from "../helpers/drive-clock.js";
import { eventually } from "../helpers/eventually.js";
import { manualClock } from "../helpers/manual-clock.js";
import { generations, tempDir, writeJsonl } from "../helpers/manifests.js";
import { useTestbed } from "../helpers/testbed.js";

describe("workers that crash or share a batch", () => {
  const clock = manualClock(Date.now());
  const bed = useTestbed({ latencyMs: { min: 300, max: 900 }, seed: 3, clock });
  const env = () => bed.env();
  const worker = () =>
    bed.worker(["--concurrency", "15", "--poll-interval", "50", "--lock-duration", "2000"]);

  async function submit(rows: number, dir: string): Promise<string> {
    const manifest = await writeJsonl(dir, generations(rows));
    const result = await cli(["submit", manifest, "--out", path.join(dir, "out")], env());
    expect(result.code, result.stderr).toBe(0);
    return result.stdout.trim();
  }

  it("a worker killed mid-batch and a new one finish the batch with zero duplicate runs", async () => {
    const dir = await tempDir();
    const batch = await submit(60, dir);
    const store = bed.store();

    const first = worker();
    await eventually(() => bed.sim.ledger().runsCreated === 15, {
      what: "the first worker to create 15 runs",
    });
    clock.advance(900); // they end; the worker records them and starts 15 more, which stay in flight
    await eventually(
      async () => {
        const b = await store.get(batch);
        return b !== null && b.succeeded === 15 && b.inFlight === 15 && bed.sim.ledger().runsCreated === 30;
      },
      { what: "the first worker to finish 15 rows and hold 15 others in flight" },
    );
    first.child.kill("SIGKILL");
    expect(await first.exited).toBe("SIGKILL");
    expect((await store.get(batch))!.succeeded).toBe(15);

    worker();
    await advanceUntil(clock, async () => (await store.get(batch))!.succeeded === 60, {
      what: "the second worker to finish the batch",
    });

    const ledger = bed.sim.ledger();
    expect(ledger.runsCreated).toBe(60);
    for (const runs of Object.values(ledger.byClientRef)) expect(runs).toHaveLength(1);
    const final = await store.get(batch);
    expect(final).toMatchObject({
      succeeded: 60,
      failed: 0,
      reservedMicros: 0,
      spentMicros: ledger.billedMicros,
    });
    // Only complete images, one per row (a download cut short leaves its partial file in .partial/).
    expect(await readdir(path.join(dir, "out", "images"))).toHaveLength(60);
  });

  it("two workers on one batch process each row exactly once", async () => {
    const dir = await tempDir();
    const batch = await submit(80, dir);
    const store = bed.store();
    worker();
    worker();
    await advanceUntil(clock, async () => (await store.get(batch))!.succeeded === 80, {
      what: "two workers to finish the batch",
    });
    const ledger = bed.sim.ledger();
    expect(ledger.runsCreated).toBe(80);
    expect(ledger.createRequests).toBe(80); // not even a replay: no row was taken by both
    expect(ledger.billedMicros).toBe(80 * 9_000);
    expect((await store.get(batch))!.spentMicros).toBe(80 * 9_000);
  });

  it("an invalid manifest enqueues nothing", async () => {
    const dir = await tempDir();
    const manifest = await writeJsonl(dir, [
      ...generations(3),
      { id: "bad", model: "openai/gpt-image-2", prompt: "x", quality: "ultra" },
    ]);
    const result = await cli(["submit", manifest, "--out", path.join(dir, "out")], env());
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/line 4: quality must be one of low, medium, high, got "ultra"/);
    expect(result.stderr).not.toMatch(/\n\s+at /); // no stack trace for a user's mistake
    const keys = await bed.redis.redis.keys(`{${bed.redis.prefix}[}:]*`);
    expect(keys, keys.join(",")).toEqual([]);
    expect(bed.sim.ledger().createRequests).toBe(0);
  });
});
