/**
 * One request rate for all workers: two worker processes under --max-rps 15, each asking for far
 * more (10 rows in flight each, polling every 50 ms), draw every request they send from the one
 * shared log in Redis, and still finish the batch. The log's own guarantee (at most 15 grants in
 * any window, across processes) is checked on Redis's clock in shared-limiter.test.ts; how close
 * the rate at Runflow comes to the limit is a measurement: bench:requests (d).
 */
import path from "node:path";
import { describe, expect, it } from "vitest";
import { bindingFor, bindingId } from "../../src/ledger/binding.js";
import { createKeys } from "../../src/ledger/keys.js";
import type { RequestCounts } from "../../src/simulator/ledger.js";
import { cli } from "../helpers/cli.js";
import { eventually } from "../helpers/eventually.js";
import { generations, tempDir, writeJsonl } from "../helpers/manifests.js";
import { useTestbed } from "../helpers/testbed.js";

const sent = (r: RequestCounts) => r.create + r.get + r.balance + r.other;

describe("--max-rps", () => {
  const bed = useTestbed({ latencyMs: { min: 200, max: 600 }, seed: 5 });

  it(
    "two worker processes draw every request from the one shared log, and finish",
    { timeout: 120_000 },
    async () => {
      const dir = await tempDir();
      const manifest = await writeJsonl(dir, generations(24));
      const submitted = await cli(["submit", manifest, "--out", path.join(dir, "out")], bed.env());
      expect(submitted.code, submitted.stderr).toBe(0);
      const batch = submitted.stdout.trim();
      const beforeWorkers = sent(bed.sim.ledger().requests);
      const args = ["--batch", batch, "--concurrency", "10", "--poll-interval", "50", "--max-rps", "15"];
      const workers = [bed.worker(args), bed.worker(args)];
      const store = bed.store();
      await eventually(async () => (await store.get(batch))?.succeeded === 24, {
        timeoutMs: 90_000,
        what: "two workers to finish 24 rows",
      }).catch((error: Error) => {
        throw new Error(
          `${error.message}; the workers said:\n${workers.map((w) => w.output()).join("\n---\n")}`,
        );
      });

      const { requests, runsCreated } = bed.sim.ledger();
      expect(runsCreated).toBe(24);
      // Read after the simulator's count: every request it saw was granted before it was sent, so
      // the shared log's grants cover them all (a worker on a log of its own would fall short).
      const log = createKeys(bed.redis.prefix).rateLimit(bindingId(bindingFor(bed.sim.url, "rf_test_key")));
      const granted = Number(await bed.redis.redis.get(`${log}:seq`));
      const byWorkers = sent(requests) - beforeWorkers;
      expect(byWorkers).toBeGreaterThan(45); // more than 3 seconds of requests at the limit
      expect(granted).toBeGreaterThanOrEqual(byWorkers);
      for (const w of workers) expect(w.output()).not.toMatch(/Error/);
    },
  );
});
