/**
 * A worker (or `serve`) with a key Runflow refuses checks it at start and exits 4 with the 401
 * message, as `run` and `submit` do (issue 18, item 5) — instead of idling forever on an account
 * that has no batches. Child processes against the simulator over HTTP, which accepts one key.
 */
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { spawnCli, type CliProcess } from "../helpers/cli.js";
import { tempDir } from "../helpers/manifests.js";
import { useTestbed } from "../helpers/testbed.js";
import { installed, writeSchedule } from "../schedule/schedules.js";

const STACK = /^\s+at .+:\d+:\d+\)?$|\\n\s+at /m;
const WRONG = { RUNFLOW_API_KEY: "rf_mistyped_key" };

describe("a wrong API key", () => {
  const bed = useTestbed({ apiKeys: ["rf_test_key"] });
  let serve: CliProcess | null = null;
  afterEach(() => {
    if (serve && serve.child.exitCode === null && serve.child.signalCode === null)
      serve.child.kill("SIGKILL");
  });

  function expectRefusal(process: CliProcess): void {
    const output = process.output();
    expect(output).toMatch(/GET \/v1\/billing\/balance → 401.*Check RUNFLOW_API_KEY/);
    expect(output).not.toMatch(STACK);
    expect(output).not.toMatch(/unexpected error/);
  }

  it("ends an idle worker at start with exit 4 and the 401 message", { timeout: 30_000 }, async () => {
    const worker = bed.worker([], WRONG);
    expect(await worker.exited, worker.output()).toBe(4);
    expectRefusal(worker);
    expect(bed.sim.ledger().requests.balance).toBeGreaterThanOrEqual(1);
  });

  it("ends serve before it syncs a schedule", { timeout: 30_000 }, async () => {
    const dir = await tempDir();
    await writeSchedule(dir, "nightly", {
      manifest: "rows.jsonl",
      cron: "0 2 * * *",
      tz: "Europe/Berlin",
      out: path.join(dir, "out", "{name}", "{date}"),
    });
    serve = spawnCli(["serve", "--schedules", dir], { ...bed.env(), ...WRONG });
    expect(await serve.exited, serve.output()).toBe(4);
    expectRefusal(serve);
    expect(await installed(bed.redis)).toEqual([]);
  });

  it("leaves a worker with the right key waiting for rows", { timeout: 30_000 }, async () => {
    const worker = bed.worker([], { LOG_LEVEL: "info" });
    await expect.poll(() => worker.output(), { timeout: 20_000 }).toMatch(/Worker started; waiting for rows/);
    expect(worker.child.exitCode).toBeNull();
  });
});
