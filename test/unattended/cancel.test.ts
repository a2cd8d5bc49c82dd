/**
 * `cancel BATCH` on a batch two worker processes are working: creates stop at once, the runs in
 * flight are waited for and recorded (every run Runflow created is in the results), the batch
 * ends canceled, and its reports list the rows that never ran as canceled. Submitted again, the
 * batch does its canceled rows and ends done. The simulator runs on a manual clock: runs end only
 * when the test lets time pass, so the cancel comes with exactly 16 runs created, 8 in flight.
 */
import { readFile } from "node:fs/promises";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { cli } from "../helpers/cli.js";
import { advanceUntil, advanceWhile } from "../helpers/drive-clock.js";
import { eventually } from "../helpers/eventually.js";
import { manualClock } from "../helpers/manual-clock.js";
import { generations, tempDir, writeJsonl } from "../helpers/manifests.js";
import { useTestbed } from "../helpers/testbed.js";

describe("cancel", () => {
  const clock = manualClock(Date.now());
  const bed = useTestbed({ latencyMs: { min: 800, max: 1_500 }, seed: 11, clock });

  it(
    "stops creates, waits for the runs in flight, ends the batch canceled with the rest listed canceled; submitted again, it ends done",
    { timeout: 90_000 },
    async () => {
      const dir = await tempDir();
      const out = path.join(dir, "out");
      const manifest = await writeJsonl(dir, generations(60));
      const submitted = await cli(["submit", manifest, "--out", out], bed.env());
      expect(submitted.code, submitted.stderr).toBe(0);
      const batch = submitted.stdout.trim();
      const store = bed.store();
      for (let i = 0; i < 2; i += 1) bed.worker(["--concurrency", "4", "--poll-interval", "100"]);
      await eventually(() => bed.sim.ledger().runsCreated === 8, { what: "8 runs in flight" });
      clock.advance(1_500); // they end; the workers record them and start 8 more, which stay in flight
      await eventually(
        async () => (await store.get(batch))!.succeeded === 8 && bed.sim.ledger().runsCreated === 16,
        { what: "8 rows done and 8 more runs in flight" },
      );

      const canceling = cli(["cancel", batch], bed.env());
      await eventually(async () => (await store.get(batch))!.cancelRequestedAt !== null, {
        what: "the cancel to be requested",
      });
      const canceled = await advanceWhile(clock, canceling); // the runs in flight end
      expect(canceled.code, canceled.stderr).toBe(0);
      expect(canceled.stderr).toMatch(/Canceling batch .*: nothing more is submitted/);
      const createdAtEnd = bed.sim.ledger().runsCreated;

      const record = (await store.get(batch))!;
      expect(record).toMatchObject({ state: "canceled", inFlight: 0, endedAt: expect.any(String) });
      // Every run Runflow created was waited for and recorded; no create came after the cancel.
      expect(createdAtEnd).toBe(16);
      expect(record.succeeded + record.failed).toBe(createdAtEnd);
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

      // Submitting again does the canceled rows: the workers still serving the pool end the batch.
      const again = await cli(["submit", manifest, "--out", out], bed.env());
      expect(again.code, again.stderr).toBe(0);
      await advanceUntil(clock, async () => (await store.get(batch))!.state === "done", {
        what: "the batch submitted again to end done",
      });
      await eventually(
        async () => ![null, record.reportedAt].includes((await store.get(batch))!.reportedAt),
        { what: "its reports written again" },
      );
      expect(await store.get(batch)).toMatchObject({ state: "done", succeeded: 60, failed: 0, inFlight: 0 });
      expect(bed.sim.ledger().runsCreated).toBe(60);
      for (const runs of Object.values(bed.sim.ledger().byClientRef)) expect(runs).toHaveLength(1);
      const final = (await readFile(path.join(out, "results.jsonl"), "utf8")).trim().split("\n");
      expect(final.map((l) => JSON.parse(l).status)).toEqual(Array(60).fill("succeeded"));
    },
  );
});
