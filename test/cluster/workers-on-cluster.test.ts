/**
 * Worker processes on a real 3-master Redis Cluster (test/helpers/redis-cluster.ts): a submitted
 * batch is found, worked and ended by a worker, and `status` says so; the budget cap holds with
 * four workers racing for it (the ledger's scripts run on the batch's slot) and raising it
 * finishes the batch, every row billed once.
 */
import { readFile } from "node:fs/promises";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { cli } from "../helpers/cli.js";
import { eventually } from "../helpers/eventually.js";
import { generations, tempDir, writeJsonl } from "../helpers/manifests.js";
import { useClusterTestbed } from "../helpers/redis-cluster.js";

describe("workers on a Redis Cluster", () => {
  const bed = useClusterTestbed({ latencyMs: { min: 100, max: 400 }, seed: 7 });

  it("submit, a worker process and status: the batch ends done with its reports", async () => {
    const dir = await tempDir();
    const manifest = await writeJsonl(dir, generations(40));
    const out = path.join(dir, "out");
    const submitted = await cli(["submit", manifest, "--out", out], bed.env());
    expect(submitted.code, submitted.stderr).toBe(0);
    const batch = submitted.stdout.trim();
    const before = JSON.parse((await cli(["status", batch, "--format", "json"], bed.env())).stdout);
    expect(before).toMatchObject({ state: "submitted", rows: { total: 40, pending: 40, succeeded: 0 } });

    bed.worker(["--concurrency", "10", "--poll-interval", "40"]);
    const view = await eventually(
      async () => {
        const status = await cli(["status", batch, "--format", "json"], bed.env());
        const parsed = JSON.parse(status.stdout) as { state: string };
        return parsed.state === "done" && parsed;
      },
      { timeoutMs: 60_000, what: "the worker to finish the batch" },
    );
    expect(view).toMatchObject({ rows: { total: 40, succeeded: 40, failed: 0, in_flight: 0 } });
    const ledger = bed.sim.ledger();
    expect(ledger.runsCreated).toBe(40);
    for (const runs of Object.values(ledger.byClientRef)) expect(runs).toHaveLength(1);
    expect((await bed.store().get(batch))!.spentMicros).toBe(ledger.billedMicros);
    // The worker that recorded the last row ended the batch: its reports are in DIR.
    await eventually(() => readFile(path.join(out, "cost-report.json"), "utf8").then(() => true), {
      what: "the batch's reports",
    });
  });

  it("four workers with a cap covering exactly 12 rows submit exactly 12, and finish when it is raised", async () => {
    const dir = await tempDir();
    const manifest = await writeJsonl(dir, generations(50, "low")); // $0.009 each
    const submitted = await cli(
      ["submit", manifest, "--max-cost", "0.108", "--out", path.join(dir, "out")],
      bed.env(),
    );
    expect(submitted.code, submitted.stderr).toBe(0);
    const batch = submitted.stdout.trim();
    const store = bed.store();
    for (let i = 0; i < 4; i += 1) bed.worker(["--concurrency", "10", "--poll-interval", "40"]);
    let samples = 0;
    let worst = 0;
    await eventually(
      async () => {
        const b = (await store.get(batch))!;
        samples += 1;
        worst = Math.max(worst, b.spentMicros + b.reservedMicros);
        return b.budgetBlocked && b.inFlight === 0 && b.succeeded === 12;
      },
      { timeoutMs: 60_000, what: "the batch to stop at its cap" },
    );
    expect(samples).toBeGreaterThan(5);
    expect(worst).toBeLessThanOrEqual(108_000);
    expect(bed.sim.ledger()).toMatchObject({ runsCreated: 12, billedMicros: 108_000 });

    const raised = await cli(["budget", batch, "--max-cost", "1"], bed.env());
    expect(raised.code, raised.stderr).toBe(0);
    await eventually(async () => (await store.get(batch))!.succeeded === 50, {
      timeoutMs: 60_000,
      what: "the raised cap to finish the batch",
    });
    expect(bed.sim.ledger().runsCreated).toBe(50);
    for (const runs of Object.values(bed.sim.ledger().byClientRef)) expect(runs).toHaveLength(1);
    expect((await store.get(batch))!).toMatchObject({ spentMicros: 450_000, reservedMicros: 0, held: 0 });
  });
});
