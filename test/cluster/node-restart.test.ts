/**
 * A Redis Cluster node killed and started again mid-batch (its data kept by its append-only
 * file, its Lua scripts lost): commands to its slots fail for a moment — refused connections,
 * CLUSTERDOWN, MOVED back to itself, NOSCRIPT, aborted transactions — and the rows that meet them
 * wait and try again. The batch finishes with every row billed once, and nothing is reported as
 * an unexpected error.
 */
import { readFile } from "node:fs/promises";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { cli } from "../helpers/cli.js";
import { eventually } from "../helpers/eventually.js";
import { generations, tempDir, writeJsonl } from "../helpers/manifests.js";
import { useClusterTestbed } from "../helpers/redis-cluster.js";

describe("a Redis Cluster node restarting mid-batch", () => {
  const bed = useClusterTestbed({ latencyMs: { min: 300, max: 900 }, seed: 9 });

  it("the run finishes, every row billed once, no unexpected error", async () => {
    const dir = await tempDir();
    const manifest = await writeJsonl(dir, generations(60));
    const out = path.join(dir, "out");
    const args = ["--batch", "restarted", "--concurrency", "10", "--poll-interval", "50"];
    const running = cli(["run", manifest, "--out", out, ...args], bed.env());
    const store = bed.store();
    await eventually(async () => ((await store.get("restarted"))?.succeeded ?? 0) >= 10, {
      what: "the first rows to be recorded",
    });
    const node = await bed.cluster.owner(bed.keys.batch("restarted"));
    await bed.cluster.kill(node);
    await bed.cluster.restart(node);

    const result = await running;
    expect(result.code, result.stderr).toBe(0);
    expect(result.stderr).not.toMatch(/unexpected error|\n\s+at /);
    const ledger = bed.sim.ledger();
    expect(ledger.runsCreated).toBe(60);
    for (const runs of Object.values(ledger.byClientRef)) expect(runs).toHaveLength(1);
    const report = JSON.parse(await readFile(path.join(out, "cost-report.json"), "utf8"));
    expect(report.totals).toMatchObject({ rows: 60, succeeded: 60, failed: 0 });
  });
});
