/**
 * `cancel BATCH` on a batch two worker processes are working: creates stop at once, the runs in
 * flight are waited for and recorded (every run Runflow created is in the results), the batch
 * ends canceled, and its reports list the rows that never ran as canceled.
 */
import { readFile } from "node:fs/promises";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { cli } from "../helpers/cli.js";
import { eventually } from "../helpers/eventually.js";
import { generations, tempDir, writeJsonl } from "../helpers/manifests.js";
import { useTestbed } from "../helpers/testbed.js";

describe("cancel", () => {
  const bed = useTestbed({ latencyMs: { min: 800, max: 1_500 }, seed: 11 });

  it(
    "stops creates, waits for the runs in flight, and ends the batch canceled with the rest listed canceled",
    { timeout: 90_000 },
    async () => {
      const dir = await tempDir();
      const out = path.join(dir, "out");
      const submitted = await cli(
        ["submit", await writeJsonl(dir, generations(60)), "--out", out],
        bed.env(),
      );
      expect(submitted.code, submitted.stderr).toBe(0);
      const batch = submitted.stdout.trim();
      for (let i = 0; i < 2; i += 1) bed.worker(["--concurrency", "4", "--poll-interval", "100"]);
      await eventually(async () => (await bed.store().get(batch))!.succeeded >= 4, {
        timeoutMs: 30_000,
        what: "some rows done",
      });

      const canceled = await cli(["cancel", batch], bed.env());
      expect(canceled.code, canceled.stderr).toBe(0);
      expect(canceled.stderr).toMatch(/Canceling batch .*: nothing more is submitted/);
      const createdAtEnd = bed.sim.ledger().runsCreated;

      const record = (await bed.store().get(batch))!;
      expect(record).toMatchObject({ state: "canceled", inFlight: 0, endedAt: expect.any(String) });
      // Every run Runflow created was waited for and recorded; no create came after the cancel.
      expect(record.succeeded + record.failed).toBe(createdAtEnd);
      expect(createdAtEnd).toBeLessThan(60);
      expect(canceled.stdout).toMatch(
        new RegExp(`canceled; ${record.succeeded} succeeded, 0 failed, ${60 - record.succeeded} canceled`),
      );

      const lines = (await readFile(path.join(out, "results.jsonl"), "utf8"))
        .trim()
        .split("\n")
        .map((l) => JSON.parse(l));
      expect(lines).toHaveLength(60);
      const listedCanceled = lines.filter((l) => l.status === "canceled");
      expect(listedCanceled).toHaveLength(60 - record.succeeded);
      expect(listedCanceled[0].error).toMatch(/^canceled/);
      expect(JSON.parse(await readFile(path.join(out, "cost-report.json"), "utf8")).state).toBe("canceled");

      // The workers go on serving the pool; the canceled batch never creates another run.
      const status = await cli(["status", batch], bed.env());
      expect(status.stdout).toMatch(/canceled/);
      expect(bed.sim.ledger().runsCreated).toBe(createdAtEnd);
    },
  );
});
