/**
 * A batch's rows wait in its row store and reach the queues only as fast as the workers drain
 * them: the number of jobs waiting stays bounded by --max-queued, for `run` and for `submit`,
 * whose workers feed the rest after it has exited.
 */
import path from "node:path";
import { Queue } from "bullmq";
import { describe, expect, it } from "vitest";
import { createKeys, laneQueueName } from "../../src/ledger/keys.js";
import { createRowStore } from "../../src/ledger/row-store.js";
import { eventually } from "../helpers/eventually.js";
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
      prefix: createKeys(bed.redis.prefix).bullPrefixFor("bp"),
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

  it("submit queues only --max-queued jobs; a worker feeds the other rows from the row store", async () => {
    const dir = await tempDir();
    const manifest = await writeJsonl(dir, generations(600));
    const keys = createKeys(bed.redis.prefix);
    const submitted = await cli(
      ["submit", manifest, "--out", path.join(dir, "out"), "--batch", "sb", "--max-queued", "50"],
      bed.env(),
    );
    expect(submitted.code, submitted.stderr).toBe(0);
    expect(submitted.stderr).toContain("600 rows to do (50 queued now, the rest as workers drain the queue)");
    const queue = new Queue(laneQueueName("sb", "generate"), {
      connection: bed.redis.redis,
      prefix: keys.bullPrefixFor("sb"),
    });
    try {
      expect(await queue.getJobCountByTypes("wait", "delayed", "prioritized", "active")).toBe(50);
      expect(await createRowStore(bed.redis.redis, keys).count("sb")).toBe(600);
      const worker = bed.worker(["--batch", "sb", "--concurrency", "20", "--poll-interval", "10"]);
      await eventually(async () => (await bed.store().get("sb"))?.succeeded === 600, {
        what: "the worker to finish all 600 rows",
      });
      worker.child.kill("SIGTERM");
      await worker.exited;
    } finally {
      await queue.close();
    }
    expect(bed.sim.ledger().runsCreated).toBe(600);
  });
});
