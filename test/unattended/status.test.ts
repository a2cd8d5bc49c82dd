/**
 * `status` says what a batch waits for: a worker when none serves it, and — after a worker was
 * SIGKILLed with runs in flight — its rows "waiting for a stopped worker's lock (≤ 30 s)" instead
 * of an unexplained "in flight". Without a batch it lists recent batches under a header, failed
 * apart from succeeded.
 */
import path from "node:path";
import { describe, expect, it } from "vitest";
import { cli } from "../helpers/cli.js";
import { eventually } from "../helpers/eventually.js";
import { generations, tempDir, writeJsonl } from "../helpers/manifests.js";
import { useTestbed } from "../helpers/testbed.js";

describe("status explains the wait", () => {
  const bed = useTestbed({ latencyMs: { min: 20_000, max: 30_000 }, seed: 13 });

  it(
    "names a missing worker, then a stopped worker's locks, and lists batches in columns",
    { timeout: 90_000 },
    async () => {
      const dir = await tempDir();
      const submitted = await cli(
        ["submit", await writeJsonl(dir, generations(12)), "--out", path.join(dir, "out")],
        bed.env(),
      );
      expect(submitted.code, submitted.stderr).toBe(0);
      const batch = submitted.stdout.trim();

      const idle = await cli(["status", batch], bed.env());
      expect(idle.stdout).toMatch(
        /^waiting for a worker: nothing is working on this batch; start one with `runflow-batch worker`/m,
      );

      const worker = bed.worker(["--concurrency", "6", "--poll-interval", "100"]);
      await eventually(async () => (await bed.store().get(batch))!.inFlight === 6, {
        timeoutMs: 30_000,
        what: "6 runs in flight",
      });
      const working = await cli(["status", batch, "--format", "json"], bed.env());
      const view = JSON.parse(working.stdout);
      expect(view).toMatchObject({
        state: "running",
        rows: { in_flight: 6, waiting_for_lock: 0 },
        waiting_for: [],
      });
      expect(view.elapsed_seconds).toEqual(expect.any(Number));

      worker.child.kill("SIGKILL");
      await worker.exited;
      const orphaned = await eventually(
        async () => {
          const result = await cli(["status", batch], bed.env());
          return (
            /6 rows: waiting for a stopped worker's lock \(≤ 30 s\)/.test(result.stdout) && result.stdout
          );
        },
        { timeoutMs: 20_000, what: "the stopped worker's rows to be explained" },
      );
      expect(orphaned).toMatch(/· 6 waiting for a stopped worker's lock/);

      const list = await cli(["status"], bed.env());
      const [header, line] = list.stdout.trimEnd().split("\n");
      expect(header).toMatch(
        /^BATCH\s+CREATED\s+STATE\s+ROWS\s+SUCCEEDED\s+FAILED\s+SPENT\s+CAP\s+DIRECTORY\s+MANIFEST$/,
      );
      expect(line).toMatch(
        new RegExp(
          `^${batch}\\s+\\S+ \\S+ UTC\\s+running\\s+12\\s+0\\s+0\\s+\\$0\\.000\\s+no cap\\s+\\S+\\s+\\S+$`,
        ),
      );
    },
  );
});
