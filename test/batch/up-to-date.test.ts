/**
 * Re-running into the same directory brings it up to date and pays only for what changed or
 * failed; the directory is the truth about images; a paid result is never lost; a rehearsal
 * resumes after Ctrl-C; image files are named as documented.
 */
import { readdir, readFile, rm } from "node:fs/promises";
import path from "node:path";
import { parse } from "csv-parse/sync";
import { describe, expect, it } from "vitest";
import { cli } from "../helpers/cli.js";
import { eventually } from "../helpers/eventually.js";
import { generations, tempDir, writeJsonl, type TestRow } from "../helpers/manifests.js";
import { useTestbed } from "../helpers/testbed.js";

const images = (dir: string) =>
  readdir(path.join(dir, "images")).then(
    (names) => names.sort(),
    () => [],
  );
const results = async (dir: string) =>
  (await readFile(path.join(dir, "results.jsonl"), "utf8"))
    .trim()
    .split("\n")
    .map((l) => JSON.parse(l) as Record<string, unknown>);

describe("bringing a directory up to date", () => {
  const bed = useTestbed({ latencyMs: { min: 5, max: 20 }, seed: 5 });
  const run = (manifest: string, out: string, ...extra: string[]) =>
    cli(["run", manifest, "--out", out, "--poll-interval", "10", ...extra], bed.env());

  it("runs exactly the 3 edited rows and the 1 new one on a re-run, and nothing on the one after", async () => {
    const dir = await tempDir();
    const out = path.join(dir, "out");
    const rows: TestRow[] = generations(200);
    const manifest = await writeJsonl(dir, rows);
    expect((await run(manifest, out, "--concurrency", "50")).code).toBe(0);
    expect(bed.sim.ledger().runsCreated).toBe(200);
    const edited = rows.map((r, i) =>
      [10, 20, 30].includes(i) ? { ...r, prompt: `${r.prompt}, now in blue` } : r,
    );
    await writeJsonl(dir, [
      ...edited,
      { id: "g200", model: "openai/gpt-image-2", prompt: "a new product", quality: "low" },
    ]);
    const second = await run(manifest, out, "--concurrency", "50");
    expect(second.code, second.stderr).toBe(0);
    expect(second.stderr).toContain(
      `${out}: 197 up to date, 1 new, 3 changed, 0 to retry, 0 removed → 4 runs, ~$0.036`,
    );
    expect(bed.sim.ledger().runsCreated).toBe(204);
    const third = await run(manifest, out);
    expect(third.code, third.stderr).toBe(0);
    expect(third.stderr).toContain("201 up to date, 0 changed, 0 to retry, 0 removed → 0 runs, ~$0.000");
    expect(bed.sim.ledger().runsCreated).toBe(204);
    expect((await images(out)).length).toBe(201);
  });

  it("tries failed rows again as a new attempt, keeping what the first attempt cost", async () => {
    const dir = await tempDir();
    const out = path.join(dir, "out");
    const manifest = await writeJsonl(dir, generations(3));
    bed.sim.configure({ failRate: 1 });
    const first = await run(manifest, out);
    expect(first.code).toBe(1);
    bed.sim.configure({ failRate: 0 });
    const second = await run(manifest, out);
    expect(second.code, second.stderr).toBe(0);
    expect(second.stderr).toContain("0 up to date, 0 changed, 3 to retry, 0 removed → 3 runs");
    const lines = await results(out);
    expect(lines.map((l) => [l.status, l.attempt])).toEqual([
      ["succeeded", 2],
      ["succeeded", 2],
      ["succeeded", 2],
    ]);
    expect(bed.sim.ledger().runsCreated).toBe(6);
  });

  it("restores every deleted image from Runflow with no new run", async () => {
    const dir = await tempDir();
    const out = path.join(dir, "out");
    const manifest = await writeJsonl(dir, [
      ...generations(4),
      { id: "multi", model: "openai/gpt-image-2", prompt: "p", num_images: 2 },
    ]);
    expect((await run(manifest, out)).code).toBe(0);
    const before = await images(out);
    await rm(path.join(out, "images"), { recursive: true });
    const again = await run(manifest, out);
    expect(again.code, again.stderr).toBe(0);
    expect(again.stderr).toContain(
      "0 up to date, 0 changed, 0 to retry, 5 to download again, 0 removed → 0 runs",
    );
    expect(await images(out)).toEqual(before);
    expect(bed.sim.ledger().runsCreated).toBe(5);
  });

  it("lists rows no longer in the manifest as removed, and keeps their files", async () => {
    const dir = await tempDir();
    const out = path.join(dir, "out");
    const manifest = await writeJsonl(dir, generations(3));
    expect((await run(manifest, out)).code).toBe(0);
    await writeJsonl(dir, generations(2));
    const second = await run(manifest, out);
    expect(second.code, second.stderr).toBe(0);
    expect(second.stderr).toContain("2 up to date, 0 changed, 0 to retry, 1 removed → 0 runs");
    expect(await images(out)).toEqual(["g0.png", "g1.png", "g2.png"]);
    const lines = await results(out);
    expect(lines.map((l) => [l.id, l.status])).toEqual([
      ["g0", "succeeded"],
      ["g1", "succeeded"],
      ["g2", "removed"],
    ]);
  });

  it("keeps a succeeded run whose download fails until the server recovers, billing it once", async () => {
    const dir = await tempDir();
    const out = path.join(dir, "out");
    const manifest = await writeJsonl(dir, generations(2));
    bed.sim.configure({ truncateRate: 1 });
    const running = run(manifest, out);
    await eventually(async () => bed.sim.ledger().runs.filter((r) => r.status === "succeeded").length === 2, {
      timeoutMs: 20_000,
      what: "both runs to succeed",
    });
    await eventually(async () => bed.sim.ledger().downloads.truncated >= 4, {
      timeoutMs: 20_000,
      what: "downloads to fail a few times",
    });
    bed.sim.configure({ truncateRate: 0 });
    const result = await running;
    expect(result.code, result.stderr).toBe(0);
    expect(await images(out)).toEqual(["g0.png", "g1.png"]);
    expect(bed.sim.ledger()).toMatchObject({ runsCreated: 2, billedMicros: 18_000 });
  });

  it("resumes a rehearsal after Ctrl-C with no failed row", async () => {
    const dir = await tempDir();
    const out = path.join(dir, "out");
    const manifest = await writeJsonl(dir, generations(6));
    const stop = new AbortController();
    const rehearsal = cli(
      ["run", manifest, "--out", out, "--simulate", "--sim-latency", "1500", "--poll-interval", "20"],
      bed.env(),
      stop.signal,
    );
    const journal = path.join(out, ".rehearsal", "simulator.jsonl");
    await eventually(
      async () => (await readFile(journal, "utf8").catch(() => "")).trim().split("\n").length >= 6,
      { timeoutMs: 20_000, what: "six runs created" },
    );
    stop.abort();
    expect((await rehearsal).code).toBe(130);
    const again = await cli(
      ["run", manifest, "--out", out, "--simulate", "--sim-latency", "1500", "--poll-interval", "20"],
      bed.env(),
    );
    expect(again.code, again.stderr).toBe(0);
    expect(again.stdout).toMatch(/6 succeeded, 0 failed/);
    const lines = (await readFile(journal, "utf8")).trim().split("\n");
    expect(lines).toHaveLength(6); // no run was created twice
  });

  it("names the example catalogue's images exactly <id>.<ext> or <id>-<n>.<ext>", async () => {
    const dir = await tempDir();
    const out = path.join(dir, "out");
    const result = await cli(
      [
        "run",
        "jobs/catalogue.csv",
        "--out",
        out,
        "--simulate",
        "--sim-latency",
        "5-20",
        "--poll-interval",
        "10",
      ],
      bed.env(),
    );
    expect(result.code, result.stderr).toBe(0);
    const rows = parse(await readFile("jobs/catalogue.csv", "utf8"), { columns: true, bom: true }) as Record<
      string,
      string
    >[];
    const named = rows.filter((row) => row.id);
    const expected = named.flatMap((row) => {
      const n = row.model?.startsWith("runflow/") ? 1 : Number(row.num_images || 1);
      const ext = row.output_format === "jpeg" ? "jpg" : row.output_format === "webp" ? "webp" : "png";
      return n === 1
        ? [`${row.id}.${ext}`]
        : Array.from({ length: n }, (_, i) => `${row.id}-${i + 1}.${ext}`);
    });
    const written = await images(out);
    // Rows without an id are named by the key derived from their content.
    const derived = written.filter((name) => /^row-[0-9a-f]{16}(-\d)?\.(png|jpg|webp)$/.test(name));
    expect(derived.length).toBeGreaterThan(0);
    expect(written.filter((name) => !derived.includes(name))).toEqual(expected.sort());
  });
});

describe("the plan as a dry run, and retry", () => {
  const bed = useTestbed({ latencyMs: { min: 5, max: 20 }, seed: 7 });

  it("estimate --out DIR states the plan a re-run would carry out, without asking Runflow", async () => {
    const dir = await tempDir();
    const out = path.join(dir, "out");
    const rows = generations(5);
    const manifest = await writeJsonl(dir, rows);
    const fresh = await cli(["estimate", manifest, "--out", out], bed.env());
    expect(fresh.stdout).toContain(
      `Plan: ${out}: 0 up to date, 5 new, 0 changed, 0 to retry, 0 removed → 5 runs, ~$0.045`,
    );
    expect((await cli(["run", manifest, "--out", out, "--poll-interval", "10"], bed.env())).code).toBe(0);
    await writeJsonl(
      dir,
      rows.map((r, i) => (i === 0 ? { ...r, quality: "high" } : r)),
    );
    const requests = bed.sim.ledger().createRequests;
    const planned = await cli(["estimate", manifest, "--out", out, "--format", "json"], bed.env());
    expect(planned.code, planned.stderr).toBe(0);
    expect(JSON.parse(planned.stdout).plan).toMatchObject({
      up_to_date: 4,
      changed: 1,
      retry: 0,
      runs: 1,
      runs_usd: "0.133",
    });
    expect(bed.sim.ledger().createRequests).toBe(requests);
  });

  it("retry --ids runs the named rows again as new attempts and rewrites the reports", async () => {
    const dir = await tempDir();
    const out = path.join(dir, "out");
    const manifest = await writeJsonl(dir, generations(3));
    expect((await cli(["run", manifest, "--out", out, "--poll-interval", "10"], bed.env())).code).toBe(0);
    const batch = JSON.parse(await readFile(path.join(out, ".runflow-batch.json"), "utf8")).batch as string;
    const retried = await cli(["retry", batch, "--ids", "g1", "--poll-interval", "10"], bed.env());
    expect(retried.code, retried.stderr).toBe(0);
    expect(retried.stderr).toContain(`${out}: 1 to retry → 1 run, ~$0.009`);
    const lines = await results(out);
    expect(lines.map((l) => [l.id, l.attempt])).toEqual([
      ["g0", 1],
      ["g1", 2],
      ["g2", 1],
    ]);
    expect(bed.sim.ledger().runsCreated).toBe(4);
    const report = JSON.parse(await readFile(path.join(out, "cost-report.json"), "utf8"));
    expect(report.totals.actual_usd).toBe("0.036"); // the first attempt of g1 was paid for too
    const unknown = await cli(["retry", batch, "--ids", "nope"], bed.env());
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toMatch(/no recorded row "nope"/);
  });

  it("retries a rehearsal's failed rows against the simulator again", async () => {
    const dir = await tempDir();
    const out = path.join(dir, "out");
    const manifest = await writeJsonl(dir, generations(4));
    const first = await cli(
      [
        "run",
        manifest,
        "--out",
        out,
        "--simulate",
        "--sim-latency",
        "5",
        "--sim-fail-rate",
        "1",
        "--poll-interval",
        "10",
      ],
      bed.env(),
    );
    expect(first.code).toBe(1);
    const batch = JSON.parse(await readFile(path.join(out, ".runflow-batch.json"), "utf8")).batch as string;
    const retried = await cli(
      ["retry", batch, "--failed", "--sim-latency", "5", "--poll-interval", "10"],
      bed.env(),
    );
    expect(retried.code, retried.stderr).toBe(0);
    expect(retried.stdout).toMatch(/4 succeeded, 0 failed/);
    expect(bed.sim.ledger().createRequests).toBe(0);
  });
});

describe("report and the directory", () => {
  const bed = useTestbed({ latencyMs: { min: 5, max: 20 }, seed: 9 });

  it("downloads missing images again, and never lists a file that is not there", async () => {
    const dir = await tempDir();
    const out = path.join(dir, "out");
    const manifest = await writeJsonl(dir, generations(3));
    expect((await cli(["run", manifest, "--out", out, "--poll-interval", "10"], bed.env())).code).toBe(0);
    const batch = JSON.parse(await readFile(path.join(out, ".runflow-batch.json"), "utf8")).batch as string;
    await rm(path.join(out, "images", "g1.png"));
    const restored = await cli(["report", batch], bed.env());
    expect(restored.code, restored.stderr).toBe(0);
    expect(restored.stderr).toContain("Downloaded the images of 1 of 1 rows again (no new runs).");
    expect(await images(out)).toEqual(["g0.png", "g1.png", "g2.png"]);
    // Without a way to reach Runflow, the report says what is missing instead of listing it.
    await rm(path.join(out, "images", "g2.png"));
    const { RUNFLOW_API_KEY: _key, ...noKey } = bed.env();
    const listed = await cli(["report", batch], noKey);
    expect(listed.code, listed.stderr).toBe(0);
    const line = (await results(out)).find((l) => l.id === "g2")!;
    expect(line.images).toEqual([]);
    expect(line.error).toMatch(/1 of 1 images are missing from the directory/);
    expect(bed.sim.ledger().runsCreated).toBe(3);
  });
});
