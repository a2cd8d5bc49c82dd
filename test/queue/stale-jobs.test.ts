/**
 * A job carries only the row's key, attempt and content fingerprint; the row itself is read from
 * the batch's row store when a worker takes it. A row edited while its job still waits runs once,
 * with the edited content: the job queued for the old content is dropped.
 */
import path from "node:path";
import { Queue } from "bullmq";
import { describe, expect, it } from "vitest";
import { createKeys, laneQueueName } from "../../src/ledger/keys.js";
import { cli } from "../helpers/cli.js";
import { eventually } from "../helpers/eventually.js";
import { generations, tempDir, writeJsonl } from "../helpers/manifests.js";
import { useTestbed } from "../helpers/testbed.js";

describe("jobs and the row store", () => {
  const bed = useTestbed({ latencyMs: { min: 5, max: 20 } });

  it("keeps a job's payload to the row's key and attempt", async () => {
    const dir = await tempDir();
    const manifest = await writeJsonl(dir, generations(3));
    const out = path.join(dir, "out");
    expect((await cli(["submit", manifest, "--out", out, "--batch", "lean"], bed.env())).code).toBe(0);
    const keys = createKeys(bed.redis.prefix);
    const queue = new Queue(laneQueueName("lean", "generate"), {
      connection: bed.redis.redis,
      prefix: keys.bullPrefixFor("lean"),
    });
    try {
      const jobs = await queue.getJobs(["waiting"]);
      expect(jobs).toHaveLength(3);
      for (const job of jobs)
        expect(Object.keys(job.data as object).sort()).toEqual(["attempt", "batch", "contentSha", "key"]);
    } finally {
      await queue.close();
    }
  });

  it("runs a row edited while its job waited once, with the edited content", async () => {
    const dir = await tempDir();
    const rows = generations(4);
    const manifest = await writeJsonl(dir, rows);
    const out = path.join(dir, "out");
    expect((await cli(["submit", manifest, "--out", out, "--batch", "edit"], bed.env())).code).toBe(0);
    await writeJsonl(
      dir,
      rows.map((r) => (r.id === "g1" ? { ...r, prompt: "product shot 1, now in blue" } : r)),
    );
    const again = await cli(["submit", manifest, "--out", out, "--batch", "edit"], bed.env());
    expect(again.code, again.stderr).toBe(0);
    expect(again.stderr).toContain("4 not run yet");

    const worker = bed.worker(["--batch", "edit", "--poll-interval", "10"]);
    await eventually(async () => (await bed.store().get("edit"))?.succeeded === 4, {
      what: "the worker to finish the 4 rows",
    });
    worker.child.kill("SIGTERM");
    await worker.exited;
    const runs = bed.sim.ledger().runs;
    expect(runs).toHaveLength(4);
    // What Runflow was asked for: each run's input, as the simulator recorded it.
    const inputOf = async (id: string) => {
      const answer = await fetch(`${bed.sim.url}/v1/runs/${id}`, {
        headers: { authorization: `Bearer ${bed.env().RUNFLOW_API_KEY}` },
      });
      return ((await answer.json()) as { input: { prompt: string } }).input;
    };
    const prompts = (await Promise.all(runs.map(async (run) => (await inputOf(run.id)).prompt))).sort();
    expect(prompts).toEqual([
      "product shot 0",
      "product shot 1, now in blue",
      "product shot 2",
      "product shot 3",
    ]);
  });
});
