/**
 * One request rate for all workers: two worker processes under --max-rps 15, each asking for far
 * more (10 rows in flight each, polling every 50 ms), together send the simulator no more than 15
 * /v1 requests a second over the batch (and no second far above it), and still finish the batch.
 */
import path from "node:path";
import { describe, expect, it } from "vitest";
import { cli } from "../helpers/cli.js";
import { eventually } from "../helpers/eventually.js";
import { generations, tempDir, writeJsonl } from "../helpers/manifests.js";
import { useTestbed } from "../helpers/testbed.js";

describe("--max-rps", () => {
  const bed = useTestbed({ latencyMs: { min: 200, max: 600 }, seed: 5 });

  it("two worker processes together stay under it, counted at the simulator", async () => {
    const dir = await tempDir();
    const manifest = await writeJsonl(dir, generations(24));
    const submitted = await cli(["submit", manifest, "--out", path.join(dir, "out")], bed.env());
    expect(submitted.code, submitted.stderr).toBe(0);
    const batch = submitted.stdout.trim();
    const args = ["--batch", batch, "--concurrency", "10", "--poll-interval", "50", "--max-rps", "15"];
    const workers = [bed.worker(args), bed.worker(args)];
    const store = bed.store();
    await eventually(async () => (await store.get(batch))?.succeeded === 24, {
      timeoutMs: 90_000,
      what: "two workers to finish 24 rows",
    });

    const { requests, runsCreated } = bed.sim.ledger();
    expect(runsCreated).toBe(24);
    expect(requests.create + requests.get).toBeGreaterThan(45); // more than 3 seconds of requests at the limit
    // The limit holds where it is kept (Redis); on the way to the simulator a busy machine can
    // delay a request into the next second, so per second allow that drift, and hold the total
    // over the whole span to the limit exactly.
    const seconds = Object.keys(requests.perSecond).map(Number);
    const span = Math.max(...seconds) - Math.min(...seconds) + 1;
    const total = Object.values(requests.perSecond).reduce((sum, n) => sum + n, 0);
    expect(total).toBeLessThanOrEqual(15 * span);
    expect(requests.maxPerSecond).toBeLessThanOrEqual(15 * 1.5);
    expect(requests.maxPerSecond).toBeGreaterThanOrEqual(10); // the limit was pressed, not idle
    for (const w of workers) expect(w.output()).not.toMatch(/Error/);
  });
});
