/**
 * Regression tests for bugs a review reproduced: a run that hung when its cap was raised while it
 * ran, `run` writing another batch's images into its own --out, and a billed run recorded as a
 * $0 failure because Runflow could not be read for a while.
 */
import { readdir, readFile } from "node:fs/promises";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { cli, eventually } from "../helpers/cli.js";
import { generations, tempDir, writeJsonl } from "../helpers/manifests.js";
import { useTestbed } from "../helpers/testbed.js";

describe("review regressions", () => {
  const bed = useTestbed({ latencyMs: { min: 50, max: 150 }, seed: 9 });

  it("run finishes when its cap is raised by `budget` while it waits at the cap", async () => {
    bed.sim.configure({ latencyMs: 1_500 }); // runs stay in flight while the cap is raised
    const dir = await tempDir();
    const manifest = await writeJsonl(dir, generations(12, "low"));
    const running = cli(["run", manifest, "--out", path.join(dir, "out"), "--batch", "raise-me", "--max-cost", "0.027", "--max-queued", "4", "--concurrency", "4", "--poll-interval", "20"], bed.env());
    const store = bed.store();
    await eventually(async () => (await store.get("raise-me"))?.budgetBlocked === true, 20_000, "the batch to reach its cap");
    const raised = await cli(["budget", "raise-me", "--max-cost", "1"], bed.env());
    expect(raised.code, raised.stderr).toBe(0);
    expect((await store.get("raise-me"))!.inFlight).toBeGreaterThan(0);
    const result = await running;
    expect(result.code, result.stderr).toBe(0);
    expect((await store.get("raise-me"))!.succeeded).toBe(12);
    expect(bed.sim.ledger().runsCreated).toBe(12);
  });

  it("run writes another batch's rows to that batch's own directory, never over its own files", async () => {
    const dir = await tempDir();
    const a = await writeJsonl(dir, generations(2, "low", "row"), "a.jsonl");
    const b = await writeJsonl(dir, generations(2, "medium", "row"), "b.jsonl"); // same row ids, other batch
    const submitted = await cli(["submit", a, "--out", path.join(dir, "outA")], bed.env());
    expect(submitted.code, submitted.stderr).toBe(0);
    const result = await cli(["run", b, "--out", path.join(dir, "outB"), "--poll-interval", "20"], bed.env());
    expect(result.code, result.stderr).toBe(0);
    await eventually(async () => (await bed.store().get(submitted.stdout.trim()))!.succeeded === 2, 20_000, "batch A's rows too");
    expect((await readdir(path.join(dir, "outB", "images"))).sort()).toEqual(["row0.png", "row1.png"]);
    expect((await readdir(path.join(dir, "outA", "images"))).sort()).toEqual(["row0.png", "row1.png"]);
    expect(bed.sim.ledger().runsCreated).toBe(4);
  });

  it("keeps waiting on a billed run through a long outage of Runflow instead of recording it as a $0 failure", async () => {
    bed.sim.configure({ latencyMs: 600 });
    const dir = await tempDir();
    const manifest = await writeJsonl(dir, generations(6, "high"));
    const out = path.join(dir, "out");
    const running = cli(["run", manifest, "--out", out, "--attempts", "2", "--retry-backoff", "20", "--poll-interval", "20"], bed.env());
    await eventually(async () => bed.sim.ledger().runsCreated === 6, 20_000, "every run to be created");
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
