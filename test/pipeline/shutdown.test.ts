/**
 * SIGTERM to a worker with runs in flight: it hands every row back (none is left claimed by a dead
 * process), exits cleanly, and the next worker finishes the batch without creating any run twice.
 * The simulator runs on a manual clock, so no run can end before the test lets time pass.
 */
import path from "node:path";
import { Queue } from "bullmq";
import { describe, expect, it } from "vitest";
import { createKeys } from "../../src/ledger/keys.js";
import { cli } from "../helpers/cli.js";
import { advanceUntil } from "../helpers/drive-clock.js";
import { eventually } from "../helpers/eventually.js";
import { manualClock } from "../helpers/manual-clock.js";
import { generations, tempDir, writeJsonl } from "../helpers/manifests.js";
import { useTestbed } from "../helpers/testbed.js";

describe("graceful shutdown", () => {
  const clock = manualClock(Date.now());
  const bed = useTestbed({ latencyMs: { min: 1_500, max: 2_500 }, seed: 5, clock });

  it("hands in-flight rows back on SIGTERM and the next worker resumes them", async () => {
    const env = bed.env();
    const dir = await tempDir();
    const submitted = await cli(
      ["submit", await writeJsonl(dir, generations(30)), "--out", path.join(dir, "out")],
      env,
    );
    expect(submitted.code, submitted.stderr).toBe(0);
    const batch = submitted.stdout.trim();
    const keys = createKeys(bed.redis.prefix);
    const store = bed.store();

    const first = bed.worker(["--concurrency", "30", "--poll-interval", "100"]);
    await eventually(
      async () => bed.sim.ledger().runsCreated === 30 && (await store.get(batch))!.inFlight === 30,
      { what: "all 30 runs created and in flight" },
    );
    first.child.kill("SIGTERM");
    expect(await first.exited, first.output()).toBe(0);
    expect(first.output()).toMatch(/SIGTERM received; stopping cleanly/);

    const queue = new Queue("generate", { connection: bed.redis.redis, prefix: keys.bullPrefix });
    expect(await queue.getActiveCount()).toBe(0);
    // No run could end: every row was handed back with its run, none recorded.
    expect((await store.get(batch))!).toMatchObject({ succeeded: 0, failed: 0 });
    await queue.close();

    bed.worker(["--concurrency", "30", "--poll-interval", "100"]);
    await advanceUntil(clock, async () => (await store.get(batch))!.succeeded === 30, {
      what: "the second worker to finish",
    });
    expect(bed.sim.ledger().runsCreated).toBe(30);
    for (const runs of Object.values(bed.sim.ledger().byClientRef)) expect(runs).toHaveLength(1);
  });
});
