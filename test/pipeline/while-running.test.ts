/**
 * Changes while a batch runs: its cap raised by `budget` while `run` waits at it, and Runflow
 * unreadable for a long while as a billed run waits (it must not be recorded as a $0 failure).
 */
import { readFile } from "node:fs/promises";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { cli } from "../helpers/cli.js";
import { eventually } from "../helpers/eventually.js";
import { generations, tempDir, writeJsonl } from "../helpers/manifests.js";
import { useTestbed } from "../helpers/testbed.js";

describe("changes while a batch runs", () => {
  const bed = useTestbed({ latencyMs: { min: 50, max: 150 }, seed: 9 });

  it("run finishes when its cap is raised by `budget` while it waits at the cap", async () => {
    bed.sim.configure({ latencyMs: 1_500 }); // runs stay in flight while the cap is raised
    const dir = await tempDir();
    const manifest = await writeJsonl(dir, generations(12, "low"));
    const running = cli(
      [
        "run",
        manifest,
        "--out",
        path.join(dir, "out"),
        "--batch",
        "raise-me",
        "--max-cost",
        "0.027",
        "--max-queued",
        "4",
        "--concurrency",
        "4",
        "--poll-interval",
        "20",
      ],
      bed.env(),
    );
    const store = bed.store();
    await eventually(async () => (await store.get("raise-me"))?.budgetBlocked === true, {
      timeoutMs: 20_000,
      what: "the batch to reach its cap",
    });
    const raised = await cli(["budget", "raise-me", "--max-cost", "1"], bed.env());
    expect(raised.code, raised.stderr).toBe(0);
    expect((await store.get("raise-me"))!.inFlight).toBeGreaterThan(0);
    const result = await running;
    expect(result.code, result.stderr).toBe(0);
    expect((await store.get("raise-me"))!.succeeded).toBe(12);
    expect(bed.sim.ledger().runsCreated).toBe(12);
  });

  it("keeps waiting on a billed run through a long outage of Runflow instead of recording it as a $0 failure", async () => {
    bed.sim.configure({ latencyMs: 600 });
    const dir = await tempDir();
    const manifest = await writeJsonl(dir, generations(6, "high"));
    const out = path.join(dir, "out");
    const running = cli(
      ["run", manifest, "--out", out, "--attempts", "2", "--retry-backoff", "20", "--poll-interval", "20"],
      bed.env(),
    );
    await eventually(async () => bed.sim.ledger().runsCreated === 6, {
      timeoutMs: 20_000,
      what: "every run to be created",
    });
    bed.sim.configure({ errorRate: 1 }); // every request now fails, far beyond 2 attempts × 8 polls
    await new Promise((r) => setTimeout(r, 1_500));
    bed.sim.configure({ errorRate: 0 });
    const result = await running;
    expect(result.code, result.stderr).toBe(0);
    const report = JSON.parse(await readFile(path.join(out, "cost-report.json"), "utf8"));
    expect(report.totals).toMatchObject({ succeeded: 6, failed: 0, actual_usd: "0.798" });
    expect(bed.sim.ledger().billedMicros).toBe(6 * 133_000);
  });
});
