/**
 * `serve` as real child processes against a real Redis and the simulator over HTTP: a schedule
 * with seconds fires every few seconds; each occurrence is its own batch in its own directory,
 * complete, with one billed run per row; deleting the file stops the schedule.
 */
import { readdir, rm, writeFile } from "node:fs/promises";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { spawnCli, type CliProcess } from "../helpers/cli.js";
import { eventually } from "../helpers/eventually.js";
import { generations, tempDir, writeJsonl } from "../helpers/manifests.js";
import { useTestbed } from "../helpers/testbed.js";
import { installed, occurrences, writeSchedule } from "./schedules.js";

const images = (dir: string) =>
  readdir(path.join(dir, "images")).then(
    (names) => names.sort(),
    () => [],
  );

describe("serve", () => {
  const bed = useTestbed({ latencyMs: { min: 100, max: 300 }, seed: 11 });
  const serving: CliProcess[] = [];
  const serve = (dir: string) => {
    const p = spawnCli(
      ["serve", "--schedules", dir, "--concurrency", "10", "--poll-interval", "50"],
      bed.env(),
    );
    serving.push(p);
    return p;
  };
  const stopAll = async () => {
    for (const p of serving.splice(0)) {
      p.child.kill("SIGTERM");
      expect(await p.exited, p.output()).toBe(0);
    }
  };

  it("every 3 s for ~15 s: a complete batch per occurrence, own directory, a run per row", async () => {
    const dir = await tempDir();
    const rows = generations(3, "low", "banner-");
    await writeJsonl(dir, rows, "nightly.jsonl");
    const file = await writeSchedule(dir, "fast", {
      manifest: "nightly.jsonl",
      cron: "*/3 * * * * *",
      tz: "Europe/Berlin",
      out: path.join(dir, "out", "{name}", "{date}", "{time}"),
    });
    const server = serve(dir);
    await eventually(
      async () => (await occurrences(bed.redis, "fast")).filter((o) => o.outcome === "started").length >= 4,
      {
        timeoutMs: 40_000,
        what: `four occurrences to start (serve said: ${server.output()})`,
      },
    );
    // Deleting the file removes the schedule: serve syncs when a file changes.
    await rm(file);
    await eventually(async () => (await installed(bed.redis)).length === 0, {
      what: "serve to remove the deleted schedule",
    });
    const started = (await occurrences(bed.redis, "fast")).filter((o) => o.outcome === "started");
    await eventually(
      async () => {
        for (const o of started)
          if ((await bed.store().get(o.batch!))?.succeeded !== rows.length) return false;
        return true;
      },
      { timeoutMs: 30_000, what: "every started occurrence's batch to finish" },
    );
    await stopAll();

    const all = await occurrences(bed.redis, "fast");
    expect(
      all.every((o) => o.outcome === "started"),
      JSON.stringify(all),
    ).toBe(true);
    const dirs = new Set<string>();
    for (const o of all) {
      // nightly-style ids: the name and the due time on the schedule's clock, seconds included.
      expect(o.batch).toBe(`fast-${o.key}`);
      expect(o.key).toMatch(/^\d{4}-\d{2}-\d{2}T\d{6}$/);
      const out = path.join(dir, "out", "fast", o.key.slice(0, 10), o.key.slice(11));
      // The worker that recorded the last row ended the batch and wrote its reports.
      const record = await eventually(
        async () => {
          const r = (await bed.store().get(o.batch!))!;
          return r.reportedAt !== null && r;
        },
        { what: `the reports of ${o.batch}` },
      );
      expect(record).toMatchObject({ state: "done", succeeded: 3, failed: 0 });
      expect(
        (await readdir(out))
          .filter((f) => /^(cost-report\.(json|md)|results\.(csv|jsonl)|report\.html)$/.test(f))
          .sort(),
      ).toEqual(["cost-report.json", "cost-report.md", "report.html", "results.csv", "results.jsonl"]);
      expect(record.submission.out).toBe(out);
      expect(await images(out)).toEqual(["banner-0.png", "banner-1.png", "banner-2.png"]);
      dirs.add(out);
    }
    expect(dirs.size).toBe(all.length);
    // Occurrences 3 s apart on the clock.
    const dues = all.map((o) => o.due_ms);
    for (let i = 1; i < dues.length; i++) expect(dues[i]! - dues[i - 1]!).toBe(3_000);
    // One billed run per row per occurrence, no more.
    const ledger = bed.sim.ledger();
    expect(ledger.runsCreated).toBe(rows.length * all.length);
    for (const runs of Object.values(ledger.byClientRef)) expect(runs).toHaveLength(1);
  });

  it("keeps the working schedule when its file is edited into an invalid one; picks up the fix", async () => {
    const dir = await tempDir();
    await writeJsonl(dir, generations(1), "rows.jsonl");
    const file = await writeSchedule(dir, "nightly", {
      manifest: "rows.jsonl",
      cron: "0 2 * * *",
      tz: "Europe/Berlin",
    });
    const server = serve(dir);
    await eventually(async () => (await installed(bed.redis)).length === 1, {
      timeoutMs: 20_000,
      what: "serve to sync at start",
    });
    await writeFile(file, 'name: nightly\nmanifest: rows.jsonl\ncron: "0 2 * * *"\ntz: Europe/Berln\n');
    await eventually(() => server.output().includes("The schedules Redis holds stay as they were."), {
      what: "serve to refuse the edit",
    });
    expect(server.output()).toContain(`${dir}/nightly.schedule.yaml: tz must be an IANA time zone`);
    expect((await installed(bed.redis)).map((s) => s.data?.schedule.tz)).toEqual(["Europe/Berlin"]);
    await writeFile(file, 'name: nightly\nmanifest: rows.jsonl\ncron: "0 3 * * *"\ntz: Europe/Lisbon\n');
    await eventually(async () => (await installed(bed.redis))[0]?.data?.schedule.tz === "Europe/Lisbon", {
      what: "serve to sync the fix",
    });
    await stopAll();
  });

  it("refuses to start on an invalid folder: exit 2 with file and field, nothing in Redis", async () => {
    const dir = await tempDir();
    await writeSchedule(dir, "nightly", {
      manifest: "rows.jsonl",
      cron: "0 2 * * *",
      tz: "Europe/Berlin",
      overlap: "parallel",
    });
    const server = serve(dir);
    expect(await server.exited).toBe(2);
    serving.splice(0);
    expect(server.output()).toContain(
      `${dir}: 1 schedule file has problems; serve did not start and Redis is unchanged.`,
    );
    expect(server.output()).toContain(
      `${dir}/nightly.schedule.yaml: overlap must be "skip" or "queue", got "parallel"`,
    );
    expect(await installed(bed.redis)).toEqual([]);
  });
});
