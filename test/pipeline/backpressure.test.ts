/**
 * `run` streams a long manifest into Redis only as fast as the workers drain it: the number of
 * rows waiting in the queue stays bounded, so Redis never holds the whole manifest at once.
 */
import path from "node:path";
import { Queue } from "bullmq";
import { describe, expect, it } from "vitest";
import { createKeys, laneQueueName } from "../../src/ledger/keys.js";
import { cli } from "../helpers/cli.js";
import { generations, tempDir, writeJsonl } from "../helpers/manifests.js";
import { useTestbed } from "../helpers/testbed.js";

describe("run backpressure", () => {
  const bed = useTestbed({ latencyMs: { min: 5, max: 30 } });

  it("keeps at most --max-queued rows waiting while it works through 400", async () => {
    const dir = await tempDir();
    const manifest = await writeJsonl(dir, generations(400));
    const queue = new Queue(laneQueueName("bp", "generate"), {
      connection: bed.redis.redis,
      prefix: createKeys(bed.redis.prefix).bullPrefix,
    });
    let most = 0;
    let samples = 0;
    const watching = setInterval(() => {
      void queue.getJobCounts("wait", "delayed", "prioritized").then((c) => {
        samples += 1;
        most = Math.max(most, (c.wait ?? 0) + (c.delayed ?? 0) + (c.prioritized ?? 0));
      });
    }, 10);
    try {
      const result = await cli(
        [
          "run",
          manifest,
          "--out",
          path.join(dir, "out"),
          "--batch",
          "bp",
          "--concurrency",
          "5",
          "--max-queued",
          "25",
          "--poll-interval",
          "10",
        ],
        bed.env(),
      );
      expect(result.code, result.stderr).toBe(0);
    } finally {
      clearInterval(watching);
      await queue.close();
    }
    expect(samples).toBeGreaterThan(20);
    expect(most).toBeGreaterThan(0);
    expect(most).toBeLessThanOrEqual(25 + 25); // the cap plus one chunk admitted just under it
    expect(bed.sim.ledger().runsCreated).toBe(400);
  });
});
