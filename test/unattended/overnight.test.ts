/**
 * The overnight flow, as real processes: `submit --notify-url`, `status --watch` and two workers.
 * The batch ends `done` on its own — the worker that records the last row writes the reports into
 * the batch's directory (no `report` call), logs one totals line and notifies a local HTTP
 * listener with the right totals and a valid signature — and `status --watch` exits 0 by itself.
 */
import { readFile } from "node:fs/promises";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { verifyNotification } from "../../src/notify/sign.js";
import { cli, spawnCli, type CliProcess } from "../helpers/cli.js";
import { eventually } from "../helpers/eventually.js";
import { startTinyServer, type TinyServer } from "../helpers/local-servers.js";
import { generations, handPrice, tempDir, writeJsonl } from "../helpers/manifests.js";
import { useTestbed } from "../helpers/testbed.js";

const SECRET = "overnight-secret";

describe("overnight: submit, two workers, nobody watching", () => {
  const bed = useTestbed({ latencyMs: { min: 50, max: 200 }, seed: 7 });
  let hook: TinyServer | null = null;
  let watcher: CliProcess | null = null;
  afterEach(async () => {
    if (watcher && watcher.child.exitCode === null) watcher.child.kill("SIGKILL");
    await watcher?.exited;
    await hook?.close();
  });

  it(
    "ends done with its reports on disk, one totals line, a signed notification, and status --watch exits 0",
    { timeout: 90_000 },
    async () => {
      hook = await startTinyServer((_req, res) => res.writeHead(204).end());
      const dir = await tempDir();
      const rows = generations(24, "medium");
      const manifest = await writeJsonl(dir, rows);
      const out = path.join(dir, "night");
      const env = { ...bed.env(), RUNFLOW_BATCH_NOTIFY_SECRET: SECRET };
      const submitted = await cli(
        ["submit", manifest, "--out", out, "--notify-url", `${hook.url}/batches`],
        env,
      );
      expect(submitted.code, submitted.stderr).toBe(0);
      const batch = submitted.stdout.trim();

      watcher = spawnCli(["status", batch, "--watch"], env);
      const workers = [0, 1].map(() =>
        bed.worker(["--concurrency", "6", "--poll-interval", "50"], { ...env, LOG_LEVEL: "info" }),
      );

      const notification = await eventually(() => hook!.received[0], {
        timeoutMs: 60_000,
        what: "the notification",
      });
      expect(await watcher.exited, watcher.output()).toBe(0);

      const record = (await bed.store().get(batch))!;
      expect(record).toMatchObject({ state: "done", succeeded: 24, failed: 0, endedAt: expect.any(String) });
      const results = (await readFile(path.join(out, "results.jsonl"), "utf8")).trim().split("\n");
      expect(results).toHaveLength(24);
      const report = JSON.parse(await readFile(path.join(out, "cost-report.json"), "utf8"));
      expect(report.state).toBe("done");
      expect(report.totals).toMatchObject({ rows: 24, succeeded: 24, failed: 0 });
      expect(await readFile(path.join(out, "report.html"), "utf8")).toContain(batch);

      // The notification: one, signed, with the ledger's totals.
      expect(notification.url).toBe("/batches");
      const body = JSON.parse(notification.body);
      const expectedUsd = (rows.reduce((sum, r) => sum + handPrice(r), 0) / 1e6).toFixed(3);
      expect(body).toMatchObject({
        event: "batch.ended",
        batch,
        state: "done",
        rows: { total: 24, succeeded: 24, failed: 0, canceled: 0, not_done: 0 },
        images: 24,
        cost: { estimated_usd: expectedUsd, actual_usd: expectedUsd },
        out_dir: out,
        reports: {
          html: path.join(out, "report.html"),
          cost_report_json: path.join(out, "cost-report.json"),
        },
      });
      expect(bed.sim.ledger().billedMicros).toBe(rows.reduce((sum, r) => sum + handPrice(r), 0));
      const signature = notification.headers["runflow-batch-signature"] as string;
      expect(verifyNotification(SECRET, notification.body, signature, Math.floor(Date.now() / 1_000))).toBe(
        true,
      );

      // Exactly one worker ended the batch, and said so in one line.
      await eventually(() => workers.some((w) => /Reports of batch .* written/.test(w.output())), {
        what: "the reports line",
      });
      const ends = workers.map(
        (w) =>
          (w.output().match(/Batch b-\w+ ended: done — 24 rows: 24 succeeded, 0 failed, 0 not done/g) ?? [])
            .length,
      );
      expect(ends.reduce((a, b) => a + b, 0)).toBe(1);
      expect(hook.received).toHaveLength(1);
      for (const w of workers) expect(w.output()).toMatch(/Batch .* started|Serving batch/);
    },
  );
});
