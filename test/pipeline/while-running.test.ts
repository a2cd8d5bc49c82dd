/**
 * Changes while a batch runs: its cap raised by `budget` while `run` waits at it, and Runflow
 * unreadable for a long while as a billed run waits (it must not be recorded as a $0 failure).
 * The simulator runs on a manual clock: runs stay in flight until the test lets time pass.
 */
import { readFile } from "node:fs/promises";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { cli } from "../helpers/cli.js";
import { advanceWhile } from "../helpers/drive-clock.js";
import { eventually } from "../helpers/eventually.js";
import { manualClock } from "../helpers/manual-clock.js";
import { generations, tempDir, writeJsonl } from "../helpers/manifests.js";
import { useTestbed } from "../helpers/testbed.js";

describe("changes while a batch runs", () => {
  const clock = manualClock(Date.now());
  const bed = useTestbed({ latencyMs: { min: 50, max: 150 }, seed: 9, clock });

  it("run finishes when its cap is raised by `budget` while it waits at the cap", async () => {
    bed.sim.configure({ latencyMs: 1_500 });
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
    // The clock has not moved: the three runs the cap let in are still in flight as it is raised.
    expect((await store.get("raise-me"))!.inFlight).toBe(3);
    const raised = await cli(["budget", "raise-me", "--max-cost", "1"], bed.env());
    expect(raised.code, raised.stderr).toBe(0);
    expect((await store.get("raise-me"))!.inFlight).toBeGreaterThan(0);
    const result = await advanceWhile(clock, running);
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
    // Every request now fails, far beyond what 2 attempts allow: 8 errors in a row are tolerated per
    // attempt (the 9th ends it), so twice 6 rows × 2 attempts × 9 failed reads.
    const readsBefore = bed.sim.ledger().requests.get;
    bed.sim.configure({ errorRate: 1 });
    await eventually(() => bed.sim.ledger().requests.get - readsBefore >= 2 * 6 * 2 * 9, {
      what: "the outage to outlast what 2 attempts allow",
    });
    bed.sim.configure({ errorRate: 0 });
    const result = await advanceWhile(clock, running);
    expect(result.code, result.stderr).toBe(0);
    const report = JSON.parse(await readFile(path.join(out, "cost-report.json"), "utf8"));
    expect(report.totals).toMatchObject({ succeeded: 6, failed: 0, actual_usd: "0.798" });
    expect(bed.sim.ledger().billedMicros).toBe(6 * 133_000);
  });
});
