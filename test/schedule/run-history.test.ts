/**
 * `schedule run` and `schedule history`, and a duplicate fire of one occurrence, against a real
 * Redis and the simulator: an occurrence started by hand is a batch of its own that workers
 * work; a second start while it runs makes no second batch; history lists occurrences newest
 * first with state, rows and cost; two fires of one occurrence at once start one batch.
 */
import path from "node:path";
import { describe, expect, it } from "vitest";
import { bindingFor } from "../../src/ledger/binding.js";
import { createLedger } from "../../src/ledger/ledger.js";
import { silentLogger } from "../../src/log/logger.js";
import { createKeys } from "../../src/ledger/keys.js";
import { createRunflowClient } from "../../src/runflow/client.js";
import { createOccurrenceRunner } from "../../src/schedule/occurrence-runner.js";
import { createOccurrenceStore } from "../../src/schedule/occurrence-store.js";
import { definiteStartError, occurrenceStarter } from "../../src/schedule/start-occurrence.js";
import { cli } from "../helpers/cli.js";
import { eventually } from "../helpers/eventually.js";
import { generations, tempDir, writeJsonl } from "../helpers/manifests.js";
import { useTestbed } from "../helpers/testbed.js";
import { installed, occurrences, writeSchedule } from "./schedules.js";

describe("schedule run and history", () => {
  const bed = useTestbed({ latencyMs: { min: 20, max: 60 }, seed: 17 });

  it("starts an occurrence now as its own batch, never a second; history shows it", async () => {
    const dir = await tempDir();
    await writeJsonl(dir, generations(2, "low"), "rows.jsonl");
    const out = path.join(dir, "out", "{name}", "{date}", "{time}");
    await writeSchedule(dir, "nightly", {
      manifest: "rows.jsonl",
      cron: "0 2 1 1 *",
      tz: "Europe/Berlin",
      out,
      max_cost: 1,
    });

    const unknown = await cli(["schedule", "run", "nightly"], bed.env());
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain(
      'no schedule "nightly" in Redis; Redis holds none. Run `runflow-batch schedule sync DIR` first',
    );
    expect((await cli(["schedule", "sync", dir], bed.env())).code).toBe(0);

    const first = await cli(["schedule", "run", "nightly"], bed.env());
    expect(first.code, first.stderr).toBe(0);
    const batch = first.stdout.trim();
    expect(batch).toMatch(/^nightly-\d{4}-\d{2}-\d{2}T\d{4}$/);
    expect(first.stderr).toContain(`is batch ${batch} (2 rows queued, 0 already done)`);
    const record = (await bed.store().get(batch))!;
    expect(record).toMatchObject({ capMicros: 1_000_000, succeeded: 0 });
    expect(record.submission.out).toBe(path.join(dir, "out", "nightly", batch.slice(8, 18), batch.slice(19)));

    // No worker yet: the batch runs on. Again now: the same occurrence (this minute) or a skipped one.
    const second = await cli(["schedule", "run", "nightly"], bed.env());
    expect(second.code, second.stderr).toBe(0);
    if (second.stdout.trim() === batch)
      expect(second.stderr).toContain("it was started before; nothing more to queue");
    else
      expect(second.stderr).toContain(`skipped: the previous occurrence (batch ${batch}) was still running.`);
    expect((await bed.store().list(10)).map((b) => b.id)).toEqual([batch]);

    bed.worker(["--concurrency", "4", "--poll-interval", "20"]);
    await eventually(async () => (await bed.store().get(batch))?.state === "done", {
      timeoutMs: 20_000,
      what: "the worker to finish the batch",
    });
    const history = await cli(["schedule", "history", "nightly"], bed.env());
    expect(history.code, history.stderr).toBe(0);
    const [header, ...rows] = history.stdout.trimEnd().split("\n");
    expect(header).toMatch(/^DUE \(Europe\/Berlin\) +STARTED +BATCH +STATE +ROWS +COST +NOTE$/);
    const mine = rows.find((r) => r.includes(batch))!;
    expect(mine.split(/ {2,}/).slice(2)).toEqual([batch, "done", "2/2", "$0.018", "schedule run"]);
    expect(rows).toHaveLength((await occurrences(bed.redis, "nightly")).length);

    const listed = await cli(["schedule", "list", dir], bed.env());
    expect(listed.stdout).toContain(`: batch ${batch}, done, 2/2 rows, $0.018`);
  });

  it("two fires of one occurrence at once start one batch and bill each row once", async () => {
    const dir = await tempDir();
    await writeJsonl(dir, generations(3, "low"), "rows.jsonl");
    const out = path.join(dir, "out", "{name}", "{date}", "{time}");
    await writeSchedule(dir, "dup", { manifest: "rows.jsonl", cron: "0 2 * * *", tz: "UTC", out });
    expect((await cli(["schedule", "sync", dir], bed.env())).code).toBe(0);
    const schedule = (await installed(bed.redis))[0]!.data!.schedule;

    const { redis, prefix } = bed.redis;
    const keys = createKeys(prefix);
    const ledger = createLedger(redis, keys);
    const logger = silentLogger();
    const client = createRunflowClient({
      baseUrl: bed.sim.url,
      apiKey: "rf_test_key",
      logger,
      connections: 8,
    });
    const binding = bindingFor(bed.sim.url, "rf_test_key");
    const runner = () =>
      createOccurrenceRunner({
        store: createOccurrenceStore(redis, keys),
        batches: ledger.batches,
        start: occurrenceStarter({ redis, keys, ledger, logger, client, binding }),
        isDefinite: definiteStartError,
        logger,
      });
    const due = Date.parse("2026-12-01T02:00:00Z");
    const [a, b] = await Promise.all([runner().handle(schedule, due), runner().handle(schedule, due)]);
    await client.close();
    expect([a.decision.kind, b.decision.kind].sort()).toEqual(["resume", "start"]);
    expect(a.batchId).toBe("dup-2026-12-01T0200");
    expect(b.batchId).toBe(a.batchId);
    // Only the first start queued the rows; the duplicate found them queued.
    expect([a.started?.enqueued ?? null, b.started?.enqueued ?? null].sort()).toEqual([3, null]);
    expect(await occurrences(bed.redis, "dup")).toMatchObject([
      { key: "2026-12-01T0200", outcome: "started", batch: a.batchId },
    ]);

    bed.worker(["--concurrency", "4", "--poll-interval", "20"]);
    await eventually(async () => (await bed.store().get(a.batchId))?.state === "done", {
      timeoutMs: 20_000,
      what: "the batch to finish",
    });
    expect(bed.sim.ledger().runsCreated).toBe(3);
    expect((await bed.store().list(10)).map((r) => r.id)).toEqual([a.batchId]);
  });
});
