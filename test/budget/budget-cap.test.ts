/**
 * The budget cap with real worker processes on real Redis: four workers and a cap that covers
 * exactly N rows submit exactly N (the simulator's ledger proves it), spent + reserved never
 * exceeds the cap at any sampled instant, raising the cap finishes the batch, and `status`
 * agrees with the ledger.
 */
import { readFile } from "node:fs/promises";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { cli } from "../helpers/cli.js";
import { eventually } from "../helpers/eventually.js";
import { generations, tempDir, writeJsonl } from "../helpers/manifests.js";
import { useTestbed } from "../helpers/testbed.js";

describe("budget cap", () => {
  const bed = useTestbed({ latencyMs: { min: 100, max: 400 }, seed: 11 });
  const env = () => bed.env();

  it("four workers with a cap covering exactly 12 rows submit exactly 12, never cross it, and finish when it is raised", async () => {
    const dir = await tempDir();
    const manifest = await writeJsonl(dir, generations(50, "low")); // $0.009 each
    const submitted = await cli(
      ["submit", manifest, "--max-cost", "0.108", "--out", path.join(dir, "out")],
      env(),
    );
    expect(submitted.code, submitted.stderr).toBe(0);
    expect(submitted.stderr).toMatch(/the cap covers 12 of 50 rows; the other 38 would cost \$0\.342 more/);
    const batch = submitted.stdout.trim();
    const store = bed.store();

    for (let i = 0; i < 4; i += 1) {
      bed.worker(["--concurrency", "10", "--poll-interval", "40"]);
    }
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
    expect(bed.sim.ledger().runsCreated).toBe(12);
    expect(bed.sim.ledger().billedMicros).toBe(108_000);

    const status = await cli(["status", batch, "--format", "json"], env());
    const view = JSON.parse(status.stdout);
    expect(view.rows).toMatchObject({ total: 50, succeeded: 12, failed: 0, in_flight: 0 });
    expect(view.money.spent_usd).toBe(bed.sim.ledger().billedUsd.replace(/0+$/, "").padEnd(5, "0"));
    expect(view.money).toMatchObject({ cap_usd: "0.108", reserved_usd: "0.000" });

    const raised = await cli(["budget", batch, "--max-cost", "1"], env());
    expect(raised.code, raised.stderr).toBe(0);
    await eventually(async () => (await store.get(batch))!.succeeded === 50, {
      timeoutMs: 60_000,
      what: "the raised cap to finish the batch",
    });
    expect(bed.sim.ledger().runsCreated).toBe(50);
    for (const runs of Object.values(bed.sim.ledger().byClientRef)) expect(runs).toHaveLength(1);
    expect((await store.get(batch))!).toMatchObject({ spentMicros: 450_000, reservedMicros: 0, held: 0 });
  });

  it("run stops at the cap with exit 3 and a report of what is left; the same command with a higher cap finishes", async () => {
    const dir = await tempDir();
    const manifest = await writeJsonl(dir, generations(20, "medium")); // $0.034 each
    const out = path.join(dir, "out");
    const args = ["run", manifest, "--out", out, "--poll-interval", "40", "--concurrency", "4"];

    const stopped = await cli([...args, "--max-cost", "0.2"], env()); // covers 5 rows ($0.170)
    expect(stopped.code, stopped.stderr).toBe(3);
    expect(bed.sim.ledger().runsCreated).toBe(5);
    const report = JSON.parse(await readFile(path.join(out, "cost-report.json"), "utf8"));
    expect(report.totals).toMatchObject({ rows: 20, succeeded: 5, actual_usd: "0.170" });
    expect(report.remaining).toEqual({ rows: 15, held_by_budget: 15, estimated_usd: "0.510" });
    expect(await readFile(path.join(out, "cost-report.md"), "utf8")).toMatch(
      /Not done: 15 rows \(15 held by the budget cap\), estimated at \$0\.510/,
    );
    const held = (await readFile(path.join(out, "results.jsonl"), "utf8"))
      .trim()
      .split("\n")
      .map((l) => JSON.parse(l))
      .filter((l) => l.status === "held");
    expect(held).toHaveLength(15);

    const finished = await cli([...args, "--max-cost", "5"], env());
    expect(finished.code, finished.stderr).toBe(0);
    expect(bed.sim.ledger().runsCreated).toBe(20);
    expect(bed.sim.ledger().billedMicros).toBe(20 * 34_000);
    const final = JSON.parse(await readFile(path.join(out, "cost-report.json"), "utf8"));
    expect(final.totals).toMatchObject({ rows: 20, succeeded: 20, actual_usd: "0.680" });
  });

  it("failed runs release their reservations and cost nothing", async () => {
    bed.sim.configure({ failRate: 0.5 });
    const dir = await tempDir();
    const manifest = await writeJsonl(dir, generations(30, "high")); // $0.133 each
    const result = await cli(
      [
        "run",
        manifest,
        "--out",
        path.join(dir, "out"),
        "--poll-interval",
        "40",
        "--concurrency",
        "3",
        "--max-cost",
        "1.33",
      ],
      env(),
    );
    expect([1, 3]).toContain(result.code);
    const store = bed.store();
    const [record] = await store.list(1);
    const ledger = bed.sim.ledger();
    const failedRuns = ledger.runs.filter((r) => r.status === "failed").length;
    expect(failedRuns).toBeGreaterThan(0);
    expect(record).toMatchObject({ reservedMicros: 0, failed: failedRuns, spentMicros: ledger.billedMicros });
    expect(record!.spentMicros).toBeLessThanOrEqual(1_330_000);
    // Failed runs gave their reservation back, so more rows than the cap's 10 were tried.
    expect(ledger.runsCreated).toBeGreaterThan(10);
  });

  it("pauses on 402 when the balance runs out and resumes after a top-up", async () => {
    bed.sim.configure({ balanceUsd: "0.045" }); // five $0.009 runs
    const dir = await tempDir();
    const manifest = await writeJsonl(dir, generations(12, "low"));
    const out = path.join(dir, "out");
    const refused = await cli(["submit", manifest, "--out", out], env());
    expect(refused.code).toBe(3);
    expect(refused.stderr).toMatch(
      /balance \(\$0\.045\) cannot cover what this batch will spend \(\$0\.108\)/,
    );

    const submitted = await cli(["submit", manifest, "--out", out, "--force"], env());
    expect(submitted.code, submitted.stderr).toBe(0);
    const batch = submitted.stdout.trim();
    const store = bed.store();
    const w = bed.worker(["--concurrency", "3", "--poll-interval", "40", "--credit-pause", "300"], {
      LOG_LEVEL: "error",
    });
    await eventually(
      async () => (await store.get(batch))!.succeeded === 5 && bed.sim.ledger().createRequests > 6,
      { timeoutMs: 30_000, what: "the worker to hit 402" },
    );
    // It keeps asking (and hearing 402) without failing or finishing any more rows.
    const asked = bed.sim.ledger().createRequests;
    await eventually(() => bed.sim.ledger().createRequests >= asked + 3, {
      timeoutMs: 30_000,
      what: "more refused creates",
    });
    expect((await store.get(batch))!).toMatchObject({ succeeded: 5, failed: 0 });
    expect(w.output()).toMatch(/out of credit/);
    expect(w.output().match(/out of credit/g), w.output()).toHaveLength(1); // said once, loudly, not per row

    bed.sim.configure({ balanceUsd: "10" });
    await eventually(async () => (await store.get(batch))!.succeeded === 12, {
      timeoutMs: 30_000,
      what: "the worker to resume after the top-up",
    });
    expect(bed.sim.ledger().runsCreated).toBe(12);
    expect((await store.get(batch))!.failed).toBe(0);
  });
});
