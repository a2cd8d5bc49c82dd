/**
 * The rules of occurrences with real serve processes: `overlap: skip` with runs longer than the
 * period records skipped occurrences and never runs two at once; `overlap: queue` starts them one
 * after another; two serve processes start each
 * occurrence once; after a downtime, `starting_deadline` misses a too-late occurrence and at most
 * one late occurrence is ever run.
 */
import { rm } from "node:fs/promises";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { eventually } from "../helpers/eventually.js";
import { generations, tempDir, writeJsonl } from "../helpers/manifests.js";
import { useTestbed, type Testbed } from "../helpers/testbed.js";
import { installed, occurrences, writeSchedule } from "./schedules.js";
import { servers } from "./serve-helpers.js";

const started = async (bed: Testbed, name: string) =>
  (await occurrences(bed.redis, name)).filter((o) => o.outcome === "started");

/** Removes the schedule (serve syncs the deletion) and waits for every started batch to end. */
async function windDown(bed: Testbed, name: string, file: string): Promise<void> {
  await rm(file);
  await eventually(async () => (await installed(bed.redis)).every((s) => s.name !== name), {
    what: `serve to remove ${name}`,
  });
  await eventually(
    async () => {
      const batches = (await started(bed, name)).map((o) => o.batch!);
      return (await Promise.all(batches.map((b) => bed.store().get(b)))).every((r) => r?.endedAt);
    },
    {
      timeoutMs: 30_000,
      what: `the batches of ${name} to end`,
    },
  );
}

describe("overlap: skip", () => {
  const bed = useTestbed({ latencyMs: 4_500, seed: 5 });
  const serve = servers();
  afterEach(() => serve.kill());

  it("with runs longer than the period records skipped occurrences and never runs two at once", async () => {
    const dir = await tempDir();
    await writeJsonl(dir, generations(2), "rows.jsonl");
    const out = path.join(dir, "out", "{name}", "{date}", "{time}");
    const file = await writeSchedule(dir, "slow", {
      manifest: "rows.jsonl",
      cron: "*/2 * * * * *",
      tz: "UTC",
      out,
    });
    serve.start(dir, bed.env());
    await eventually(async () => (await started(bed, "slow")).length >= 2, {
      timeoutMs: 40_000,
      what: "two occurrences to start",
    });
    await windDown(bed, "slow", file);
    await serve.stopAll();

    const all = await occurrences(bed.redis, "slow");
    const runs = all.filter((o) => o.outcome === "started");
    const skipped = all.filter((o) => o.outcome === "skipped");
    expect(
      all.every((o) => o.outcome === "started" || o.outcome === "skipped"),
      JSON.stringify(all),
    ).toBe(true);
    expect(skipped.length).toBeGreaterThanOrEqual(2);
    // Each run ends before the next starts; what fell due meanwhile was skipped, naming the running batch.
    for (let i = 0; i < runs.length; i++) {
      const record = (await bed.store().get(runs[i]!.batch!))!;
      expect(record).toMatchObject({ state: "done", succeeded: 2 });
      const ended = Date.parse(record.endedAt!);
      const next = runs[i + 1];
      if (next) expect(next.started_ms!).toBeGreaterThanOrEqual(ended);
      const meanwhile = skipped.filter(
        (s) => s.due_ms > runs[i]!.due_ms && (!next || s.due_ms < next.due_ms),
      );
      for (const s of meanwhile)
        expect(s.reason).toBe(`the previous occurrence (batch ${runs[i]!.batch}) was still running`);
    }
    expect(bed.sim.ledger().runsCreated).toBe(2 * runs.length);
  });
});

describe("overlap: queue", () => {
  const bed = useTestbed({ latencyMs: 3_000, seed: 7 });
  const serve = servers();
  afterEach(() => serve.kill());

  it("starts queued occurrences when the previous ends, in due order, one at a time", async () => {
    const dir = await tempDir();
    await writeJsonl(dir, generations(1), "rows.jsonl");
    const out = path.join(dir, "out", "{name}", "{date}", "{time}");
    const file = await writeSchedule(dir, "queued", {
      manifest: "rows.jsonl",
      cron: "*/2 * * * * *",
      tz: "UTC",
      out,
      overlap: "queue",
    });
    serve.start(dir, bed.env());
    await eventually(async () => (await started(bed, "queued")).length >= 3, {
      timeoutMs: 40_000,
      what: "three occurrences to start",
    });
    await windDown(bed, "queued", file);
    // What still waited when the schedule went is missed, not run.
    await eventually(
      async () => (await occurrences(bed.redis, "queued")).every((o) => o.outcome !== "waiting"),
      {
        what: "the waiting occurrences to be settled",
      },
    );
    await serve.stopAll();

    const all = await occurrences(bed.redis, "queued");
    const runs = all.filter((o) => o.outcome === "started");
    expect(all.some((o) => o.outcome === "skipped")).toBe(false);
    for (const o of all.filter((x) => x.outcome === "missed"))
      expect(o.reason).toBe("its schedule was removed (schedule sync) while it waited");
    // In due order, each after the one before it ended; the later ones started late, having waited.
    for (let i = 1; i < runs.length; i++) {
      const before = (await bed.store().get(runs[i - 1]!.batch!))!;
      expect(runs[i]!.due_ms).toBeGreaterThan(runs[i - 1]!.due_ms);
      expect(runs[i]!.started_ms!).toBeGreaterThanOrEqual(Date.parse(before.endedAt!));
    }
    expect(runs.at(-1)!.started_ms! - runs.at(-1)!.due_ms).toBeGreaterThan(2_000);
    expect(bed.sim.ledger().runsCreated).toBe(runs.length);
  });
});

describe("two serve processes", () => {
  const bed = useTestbed({ latencyMs: { min: 50, max: 200 }, seed: 9 });
  const serve = servers();
  afterEach(() => serve.kill());

  it("start each occurrence once", async () => {
    const dir = await tempDir();
    await writeJsonl(dir, generations(3), "rows.jsonl");
    const out = path.join(dir, "out", "{name}", "{date}", "{time}");
    const file = await writeSchedule(dir, "shared", {
      manifest: "rows.jsonl",
      cron: "*/2 * * * * *",
      tz: "Europe/Paris",
      out,
    });
    const one = serve.start(dir, { ...bed.env(), LOG_LEVEL: "info" });
    const two = serve.start(dir, { ...bed.env(), LOG_LEVEL: "info" });
    await eventually(async () => (await started(bed, "shared")).length >= 5, {
      timeoutMs: 40_000,
      what: "five occurrences to start",
    });
    await windDown(bed, "shared", file);
    await serve.stopAll();

    const all = await occurrences(bed.redis, "shared");
    expect(new Set(all.map((o) => o.key)).size).toBe(all.length);
    const runs = all.filter((o) => o.outcome === "started");
    // On a busy machine a batch can outlast the 2 s period: that occurrence is skipped (overlap:
    // skip), which is fine here; what must never happen is an occurrence started twice.
    for (const o of all) expect(["started", "skipped"]).toContain(o.outcome);
    expect(runs.length).toBeGreaterThanOrEqual(5);
    // One batch per occurrence, and one billed run per row of each: never a second start.
    const batches = (await bed.store().list(100)).map((b) => b.id).sort();
    expect(batches).toEqual(runs.map((o) => o.batch!).sort());
    // Each serve logs the batches it started: together, every occurrence once.
    const startedBy = (p: typeof one) =>
      [...p.output().matchAll(/started batch (shared-[\dT-]+)/g)].map((m) => m[1]);
    expect([...startedBy(one), ...startedBy(two)].sort()).toEqual(runs.map((o) => o.batch!).sort());
    const ledger = bed.sim.ledger();
    expect(ledger.runsCreated).toBe(3 * runs.length);
    for (const refs of Object.values(ledger.byClientRef)) expect(refs).toHaveLength(1);
  });
});

describe("starting_deadline after a downtime", () => {
  const bed = useTestbed({ latencyMs: { min: 20, max: 80 }, seed: 13 });
  const serve = servers();
  afterEach(() => serve.kill());

  it("misses the too-late occurrence, runs at most one late occurrence, then runs on time", async () => {
    const dir = await tempDir();
    await writeJsonl(dir, generations(1), "rows.jsonl");
    const out = path.join(dir, "out", "{name}", "{date}", "{time}");
    const strict = await writeSchedule(dir, "strict", {
      manifest: "rows.jsonl",
      cron: "*/2 * * * * *",
      tz: "UTC",
      out,
      starting_deadline: "1s",
    });
    const lenient = await writeSchedule(dir, "lenient", {
      manifest: "rows.jsonl",
      cron: "*/2 * * * * *",
      tz: "UTC",
      out,
      starting_deadline: "1h",
    });
    const { cli } = await import("../helpers/cli.js");
    expect((await cli(["schedule", "sync", dir], bed.env())).code).toBe(0);
    // The downtime: nothing serves while the first due time and two more pass.
    const firstDue = Math.min(...(await installed(bed.redis)).map((s) => s.next!));
    await eventually(() => Date.now() > firstDue + 5_000, {
      timeoutMs: 15_000,
      what: "the downtime to pass",
    });
    const back = Date.now();
    serve.start(dir, bed.env());
    await eventually(
      async () => (await started(bed, "strict")).length >= 1 && (await started(bed, "lenient")).length >= 2,
      {
        timeoutMs: 40_000,
        what: "both schedules to run on time again",
      },
    );
    await windDown(bed, "strict", strict);
    await windDown(bed, "lenient", lenient);
    await serve.stopAll();

    for (const name of ["strict", "lenient"]) {
      const all = await occurrences(bed.redis, name);
      // BullMQ held one late job per scheduler: the first due time. Nothing else before the restart.
      expect(all[0]!.due_ms).toBe(firstDue);
      expect(all.filter((o) => o.due_ms < back).map((o) => o.due_ms)).toEqual([firstDue]);
      // After it, what fell due while serve ran: started, or skipped while the late one still ran
      // (overlap: skip). A deadline of 1 s may also miss one a busy machine started too late; 1 h never.
      const after = all.slice(1);
      const allowed = name === "strict" ? ["started", "skipped", "missed"] : ["started", "skipped"];
      for (const o of after) expect(allowed, JSON.stringify(o)).toContain(o.outcome);
      for (const o of after.filter((x) => x.outcome === "missed"))
        expect(o.reason).toMatch(/^could not start within its starting_deadline \(1s\)/);
      expect(after.some((o) => o.outcome === "started")).toBe(true);
      // At most one late occurrence is ever run: the one held over the downtime, by lenient only.
      const lateRuns = all.filter((o) => o.outcome === "started" && o.due_ms < back);
      expect(lateRuns.length).toBe(name === "lenient" ? 1 : 0);
    }
    const [missed] = await occurrences(bed.redis, "strict");
    expect(missed).toMatchObject({ outcome: "missed", batch: null });
    expect(missed!.reason).toMatch(
      /^could not start within its starting_deadline \(1s\) of its due time: \d+(\.\d)?s late$/,
    );
    const [late] = await occurrences(bed.redis, "lenient");
    expect(late).toMatchObject({ outcome: "started" });
    expect(late!.started_ms! - late!.due_ms).toBeGreaterThan(5_000);
    expect((await bed.store().get(late!.batch!))!.succeeded).toBe(1);
  });
});
