/**
 * Many machines without a shared disk: workers in different working directories finish one batch
 * whose directory is an S3 prefix, and object storage that stops taking writes for a while is a
 * local fault like a full disk (rows keep their runs and wait, one log line, `status` says what
 * it waits for) — the batch finishes, every row billed once.
 */
import { readdir } from "node:fs/promises";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { cli, spawnCli, type CliProcess } from "../helpers/cli.js";
import { eventually } from "../helpers/eventually.js";
import { generations, tempDir, writeJsonl } from "../helpers/manifests.js";
import { startS3, startS3Proxy, type S3Fault, type S3Proxy, type TestS3 } from "../helpers/s3.js";
import { useTestbed } from "../helpers/testbed.js";

/** What a store answers while it does not take writes (the SDK itself retries the 503s first). */
const FAULTS: readonly S3Fault[] = [
  { status: 503, code: "SlowDown", message: "Please reduce your request rate." },
  { status: 409, code: "OperationAborted", message: "A conflicting conditional operation is in progress." },
  { status: 412, code: "PreconditionFailed", message: "At least one of the preconditions did not hold." },
  { status: 403, code: "AccessDenied", message: "Access Denied" },
];

describe("workers on many machines, one batch in object storage", () => {
  const bed = useTestbed({ latencyMs: { min: 5, max: 30 }, seed: 7 });
  let s3: TestS3;
  const workers: CliProcess[] = [];
  beforeAll(async () => {
    s3 = await startS3();
  });
  afterEach(() => {
    for (const w of workers.splice(0)) if (w.child.exitCode === null) w.child.kill("SIGKILL");
  });
  afterAll(async () => {
    await s3?.close();
  });

  /** A worker process in a directory of its own (no folder shared with the other). */
  async function worker(endpoint: string, ...extra: string[]) {
    const cwd = await tempDir();
    const args = ["worker", "--concurrency", "25", "--poll-interval", "20", ...extra];
    const w = spawnCli(args, { ...bed.env(), ...s3.env(endpoint), LOG_LEVEL: "info" }, { cwd });
    workers.push(w);
    return { w, cwd };
  }

  async function submit(rows: number, out: string, endpoint = s3.endpoint) {
    const dir = await tempDir();
    const manifest = await writeJsonl(dir, generations(rows));
    const submitted = await cli(["submit", manifest, "--out", out], { ...bed.env(), ...s3.env(endpoint) });
    expect(submitted.code, submitted.stderr).toBe(0);
    return { batch: submitted.stdout.trim(), manifest };
  }

  const ended = (batch: string) =>
    eventually(async () => (await bed.store().get(batch))?.reportedAt != null, {
      timeoutMs: 120_000,
      what: "the batch to end, its reports written",
    });

  it(
    "two workers in different directories finish a 500-row batch into s3://, with its reports; a re-run is up to date, deleted images come back from Runflow, 0 creates",
    { timeout: 240_000 },
    async () => {
      const prefix = `many-${bed.redis.prefix}`;
      const out = `s3://${s3.bucket}/${prefix}`;
      const { batch, manifest } = await submit(500, out);
      const a = await worker(s3.endpoint);
      const b = await worker(s3.endpoint);
      await ended(batch);
      expect(await bed.store().get(batch)).toMatchObject({ state: "done", succeeded: 500, failed: 0 });
      expect(bed.sim.ledger().runsCreated).toBe(500);
      for (const runs of Object.values(bed.sim.ledger().byClientRef)) expect(runs).toHaveLength(1);
      const keys = await s3.keys(`${prefix}/`);
      expect(keys.filter((k) => k.startsWith(`${prefix}/images/`))).toHaveLength(500);
      for (const name of [
        "results.jsonl",
        "results.csv",
        "cost-report.json",
        "cost-report.md",
        "report.html",
      ])
        expect(keys).toContain(`${prefix}/${name}`);
      const report = JSON.parse((await s3.read(`${prefix}/cost-report.json`)).toString()) as {
        totals: { succeeded: number; images: number };
      };
      expect(report.totals).toMatchObject({ succeeded: 500, images: 500 });
      // Neither worker wrote anything where it runs: the prefix is the only place the batch is.
      expect(a.w.output() + b.w.output()).not.toMatch(/Error|error/);
      expect(await readdir(a.cwd)).toEqual([]);
      expect(await readdir(b.cwd)).toEqual([]);

      // A re-run of the same manifest into the same prefix, from another machine: up to date, 0 creates.
      const run = () =>
        cli(["run", manifest, "--out", out, "--poll-interval", "10"], { ...bed.env(), ...s3.env() });
      const resultRows = async () => (await s3.read(`${prefix}/results.jsonl`)).toString().trim().split("\n");
      const rowsBefore = await resultRows();
      expect(rowsBefore).toHaveLength(500);
      const again = await run();
      expect(again.code, again.stderr).toBe(0);
      expect(again.stderr).toContain("500 up to date, 0 changed, 0 to retry, 0 removed → 0 runs");
      expect(bed.sim.ledger().runsCreated).toBe(500);

      // Deleted image objects are downloaded again from Runflow: the same bytes, still 0 creates.
      const gone = ["g3", "g250", "g499"].map((id) => `${prefix}/images/${id}.png`);
      const before = await Promise.all(gone.map((key) => s3.read(key)));
      for (const key of gone) await s3.remove(key);
      expect((await s3.keys(`${prefix}/images/`)).length).toBe(497);
      const restored = await run();
      expect(restored.code, restored.stderr).toBe(0);
      expect(restored.stderr).toContain("497 up to date, 0 changed, 0 to retry, 3 to download again");
      expect(restored.stderr).toContain("Downloaded the images of 3 rows again (no new runs).");
      expect(bed.sim.ledger().runsCreated).toBe(500);
      for (const runs of Object.values(bed.sim.ledger().byClientRef)) expect(runs).toHaveLength(1);
      expect((await s3.keys(`${prefix}/images/`)).length).toBe(500);
      for (const [i, key] of gone.entries()) expect((await s3.read(key)).equals(before[i]!), key).toBe(true);
      // The reports still list every row.
      expect(await resultRows()).toHaveLength(500);
      const after = JSON.parse((await s3.read(`${prefix}/cost-report.json`)).toString()) as typeof report;
      expect(after.totals).toMatchObject({ succeeded: 500, images: 500 });
      expect(await readdir(a.cwd)).toEqual([]);
      expect(await readdir(b.cwd)).toEqual([]);
    },
  );

  it(
    "a store answering 503 SlowDown, 409, 412 and 403 for a while mid-batch: rows wait, the batch finishes, billed once",
    { timeout: 180_000 },
    async () => {
      const prefix = `slow-${bed.redis.prefix}`;
      let stored = 0;
      let outage: "before" | "on" | "over" = "before";
      let n = 0;
      const proxy: S3Proxy = await startS3Proxy(s3.endpoint, (req) => {
        if (req.method !== "PUT" || !req.path.includes(`/${prefix}/images/`)) return null;
        if (outage === "before" && ++stored > 10) outage = "on";
        // In turn: busy, a conflicting operation, a failed precondition, a policy that denies for a while.
        return outage === "on" ? (FAULTS[n++ % FAULTS.length] ?? null) : null;
      });
      try {
        const { batch } = await submit(60, `s3://${s3.bucket}/${prefix}`, proxy.url);
        const { w } = await worker(proxy.url, "--write-pause", "200");
        // The outage lasts until it is said: one log line, and status names what the batch waits for.
        await eventually(
          () => /Cannot write images to the batch's object storage: could not write s3:\/\//.test(w.output()),
          {
            what: "the worker to say the store refuses",
          },
        );
        const status = await eventually(
          async () => {
            const result = await cli(["status", batch], { ...bed.env(), ...s3.env(proxy.url) });
            return (
              result.stdout.includes("waiting for the batch's object storage to take the images again") &&
              result.stdout
            );
          },
          { what: "status to say what the batch waits for" },
        );
        expect(status).toMatch(
          /could not write s3:\/\/batches\/slow-[^ ]+\/images\/g\d+\.png: (SlowDown|OperationAborted|PreconditionFailed|AccessDenied) \((503|409|412|403)\)/,
        );
        expect((await bed.store().get(batch))?.failed).toBe(0);
        outage = "over";
        await ended(batch);
        expect(await bed.store().get(batch)).toMatchObject({ state: "done", succeeded: 60, failed: 0 });
        expect(bed.sim.ledger().runsCreated).toBe(60);
        for (const runs of Object.values(bed.sim.ledger().byClientRef)) expect(runs).toHaveLength(1);
        expect((await s3.keys(`${prefix}/images/`)).length).toBe(60);
        expect(n).toBeGreaterThanOrEqual(FAULTS.length); // every kind of answer was given
        const said = w
          .output()
          .split("\n")
          .filter((l) => /Cannot write images to the batch's object storage/.test(l));
        expect(said).toHaveLength(1);
        expect(w.output()).not.toContain("S3RVER");
      } finally {
        await proxy.close();
      }
    },
  );
});
