/**
 * Faults during a batch, logged as a person would want to read them in the morning: 200 rows
 * under a rate limit say so in a few lines (not a line per 429); an output directory that cannot
 * be written mid-batch is a local error naming the path — the rows keep their runs and wait, and
 * resume once the directory is fixed, billed once; a batch record that vanished from Redis ends
 * the command with exit 4 saying which batch and what to do.
 */
import { mkdir, readFile, rm, writeFile } from "node:fs/promises";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { createKeys } from "../../src/ledger/keys.js";
import { cli, spawnCli } from "../helpers/cli.js";
import { advanceUntil, advanceWhile } from "../helpers/drive-clock.js";
import { eventually } from "../helpers/eventually.js";
import { manualClock } from "../helpers/manual-clock.js";
import { generations, tempDir, writeJsonl } from "../helpers/manifests.js";
import { useTestbed } from "../helpers/testbed.js";

const STACK = /^\s+at .+:\d+:\d+\)?$/m;

describe("rate limited", () => {
  const bed = useTestbed({ latencyMs: 20, rateLimit: 40, retryAfter: false, seed: 21 });

  it(
    "200 rows under a rate limit: a few lines about it, every row done once",
    { timeout: 120_000 },
    async () => {
      const dir = await tempDir();
      const args = [
        "run",
        await writeJsonl(dir, generations(200)),
        "--out",
        path.join(dir, "out"),
        "--concurrency",
        "50",
      ];
      const run = spawnCli([...args, "--poll-interval", "50"], { ...bed.env(), LOG_LEVEL: "info" });
      expect(await run.exited, run.output()).toBe(0);
      const about = run
        .output()
        .split("\n")
        .filter((line) => /rate limit/i.test(line));
      // The client paces itself to the limit; 429s that still reach rows are one episode, not a line each.
      expect(about.length, about.join("\n")).toBeLessThanOrEqual(6);
      if (about.length > 0) expect(about[0]).toMatch(/Runflow is rate limiting: requests are delayed/);
      expect(
        run
          .output()
          .split("\n")
          .filter((line) => /"level":(40|50)/.test(line)).length,
      ).toBeLessThanOrEqual(6);
      expect(bed.sim.ledger().runsCreated).toBe(200);
      expect(run.output()).not.toMatch(STACK);
    },
  );
});

describe("local faults and a vanished batch", () => {
  // Runs end only while the test moves the simulator's clock: the faults meet a batch under way.
  const clock = manualClock(Date.now());
  const bed = useTestbed({ latencyMs: { min: 100, max: 300 }, seed: 22, clock });

  it(
    "an unwritable images directory mid-batch is a local error; the rows wait and resume, billed once",
    { timeout: 120_000 },
    async () => {
      const dir = await tempDir();
      const out = path.join(dir, "out");
      const submitted = await cli(
        ["submit", await writeJsonl(dir, generations(20)), "--out", out],
        bed.env(),
      );
      expect(submitted.code, submitted.stderr).toBe(0);
      const batch = submitted.stdout.trim();
      // images/ is a file now: nothing can be written under it (root or not).
      await rm(path.join(out, "images"), { recursive: true, force: true });
      await writeFile(path.join(out, "images"), "in the way");
      // Submitting pauses half a second, not the default 30 s, between tries of the local write.
      const worker = bed.worker(
        ["--concurrency", "5", "--poll-interval", "50", "--credit-pause", "500", "--write-pause", "500"],
        { LOG_LEVEL: "info" },
      );
      await advanceUntil(
        clock,
        () => /Cannot write images on this machine: could not write .*images/.test(worker.output()),
        {
          timeoutMs: 30_000,
          what: "the local error",
        },
      );
      const status = await eventually(
        async () => {
          const result = await cli(["status", batch], bed.env());
          return (
            /waiting for this machine to be able to write the images: could not write/.test(result.stdout) &&
            result.stdout
          );
        },
        { timeoutMs: 15_000, what: "status to say it" },
      );
      expect(status).not.toMatch(/Runflow refused/);
      expect((await bed.store().get(batch))!.failed).toBe(0);

      await rm(path.join(out, "images"));
      await mkdir(path.join(out, "images"));
      await advanceUntil(clock, async () => (await bed.store().get(batch))!.reportedAt !== null, {
        timeoutMs: 90_000,
        what: "the batch to end, reported",
      });
      const record = (await bed.store().get(batch))!;
      expect(record).toMatchObject({ state: "done", succeeded: 20, failed: 0 });
      expect(bed.sim.ledger().runsCreated).toBe(20);
      for (const runs of Object.values(bed.sim.ledger().byClientRef)) expect(runs).toHaveLength(1);
      const lines = worker.output().split("\n");
      expect(lines.filter((l) => /Cannot write images on this machine/.test(l))).toHaveLength(1);
      expect(worker.output()).not.toMatch(/Runflow refused/);
      expect(worker.output()).not.toMatch(STACK);
      expect((await readFile(path.join(out, "results.jsonl"), "utf8")).trim().split("\n")).toHaveLength(20);
    },
  );

  it(
    "a batch whose record vanished from Redis ends the run with exit 4, naming the batch and what to do",
    { timeout: 60_000 },
    async () => {
      const dir = await tempDir();
      const out = path.join(dir, "out");
      const run = spawnCli(
        [
          "run",
          await writeJsonl(dir, generations(30)),
          "--out",
          out,
          "--concurrency",
          "3",
          "--poll-interval",
          "50",
        ],
        bed.env(),
      );
      const keys = createKeys(bed.redis.prefix);
      const id = await advanceUntil(
        clock,
        async () => {
          const [record] = await bed.store().list(1);
          return record !== undefined && record.succeeded >= 2 ? record.id : undefined;
        },
        { timeoutMs: 30_000, what: "the batch to be under way" },
      );
      await bed.redis.redis.del(keys.batch(id)); // as if Redis came back empty
      // Its runs end only now: the run meets the missing record when it records them.
      const exited = await advanceWhile(clock, run.exited);
      expect(exited, run.output()).toBe(4);
      expect(run.output()).toMatch(
        new RegExp(`runflow-batch: batch ${id} is no longer in Redis: .*Run the same command again`),
      );
      expect(run.output()).not.toMatch(STACK);
      expect(run.output()).not.toMatch(/disappeared from Redis|unexpected error/);
    },
  );
});
