/**
 * `promote` end to end against the simulator (issue 21): 20 draft rows × 3 images at low, 7
 * picks → exactly 7 GPT Image 2 Edit runs at high, each with a freshly signed URL of its picked
 * draft image (checked at the simulator, two hours after the drafts' own URLs expired), the exact
 * cost, the lineage columns, the finals beside their drafts in the reports; promoting again after
 * 2 more picks and 1 unpicked runs 2, lists 1 removed and pays nothing twice; a draft run whose
 * outputs Runflow no longer serves fails its final, naming the draft run; the promoting process
 * killed with SIGKILL mid-way and the same command run again make one run per final.
 */
import { readFile, writeFile } from "node:fs/promises";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { cli, spawnCli } from "../helpers/cli.js";
import { advanceWhile } from "../helpers/drive-clock.js";
import { eventually } from "../helpers/eventually.js";
import { manualClock } from "../helpers/manual-clock.js";
import { tempDir, writeJsonl, type TestRow } from "../helpers/manifests.js";
import { useTestbed, type Testbed } from "../helpers/testbed.js";

interface Line {
  id: string;
  status: string;
  run_id: string | null;
  images: string[];
  cost_usd: string | null;
  error: string | null;
  draft_batch?: string;
  draft_row?: string;
  draft_image?: number;
  draft_run_id?: string;
}

const lines = async (file: string): Promise<Line[]> =>
  (await readFile(file, "utf8"))
    .trim()
    .split("\n")
    .map((l) => JSON.parse(l) as Line);

/** The run as the simulator has it (its input as submitted). */
async function simRun(bed: Testbed, id: string) {
  const res = await fetch(`${bed.sim.url}/v1/runs/${id}`, {
    headers: { authorization: "Bearer rf_test_key" },
  });
  return (await res.json()) as {
    model: string;
    input: { prompt: string; quality: string; image_urls: string[] };
  };
}

function draftRows(n: number, images = 3): TestRow[] {
  return Array.from({ length: n }, (_, i) => ({
    id: `p${String(i).padStart(2, "0")}`,
    model: "openai/gpt-image-2",
    prompt: `product ${i} on a linen tablecloth`,
    quality: "low",
    num_images: images,
  }));
}

async function runDrafts(bed: Testbed, rows: TestRow[]): Promise<{ dir: string; drafts: string }> {
  const dir = await tempDir();
  const drafts = path.join(dir, "drafts");
  const run = await cli(
    ["run", await writeJsonl(dir, rows), "--out", drafts, "--batch", "drafts", "--poll-interval", "10"],
    bed.env(),
  );
  expect(run.code, run.stderr).toBe(0);
  return { dir, drafts };
}

const picksCsv = (picks: readonly [string, number, string][]) =>
  "id,image,pick,note\n" + picks.map(([id, image, pick]) => `${id},${image},${pick},\n`).join("");

describe("promote", () => {
  const clock = manualClock(Date.now());
  const bed = useTestbed({ latencyMs: 0, seed: 21, clock });

  it("makes one edit at high per pick with fresh draft URLs, exact cost and lineage; again, only what changed", async () => {
    const { dir, drafts } = await runDrafts(bed, draftRows(20));
    const draftLines = new Map((await lines(path.join(drafts, "results.jsonl"))).map((l) => [l.id, l]));
    expect(bed.sim.ledger().billedMicros).toBe(60 * 9_000);

    const picked: [string, number][] = [
      ["p00", 1],
      ["p03", 2],
      ["p03", 3],
      ["p07", 1],
      ["p11", 2],
      ["p15", 3],
      ["p19", 1],
    ];
    const file = path.join(dir, "picks.csv");
    await writeFile(
      file,
      picksCsv([
        ...picked.map(([id, n]) => [id, n, "pick"] as [string, number, string]),
        ["p01", 1, "reject"],
        ["p02", 2, "reject"],
      ]),
    );
    clock.advance(2 * 3_600_000); // every URL the drafts were given has expired
    const promotedAt = clock.now();
    const finals = path.join(dir, "finals");
    const before = bed.sim.ledger();
    // A dry run first: the plan and the saving, nothing written or paid.
    expect((await cli(["picks", drafts, "--import", file], bed.env())).code).toBe(0);
    const dry = await cli(["promote", drafts, "--out", finals, "--dry-run"], bed.env());
    expect(dry.code, dry.stderr).toBe(0);
    expect(dry.stdout).toBe(
      `Plan: ${finals}: 0 up to date, 7 new, 0 changed, 0 to retry, 0 removed → 7 runs, ~$0.931\n` +
        "Drafts and finals: $0.540 for 60 draft images + ~$0.931 for 7 finals at high = ~$1.471; " +
        "all 60 draft images at high would cost ~$7.980: ~$6.509 saved (82 %).\n",
    );
    expect(bed.sim.ledger().createRequests).toBe(before.createRequests);
    const promote = await cli(
      ["promote", drafts, "--out", finals, "--picks", file, "--poll-interval", "10"],
      bed.env(),
    );
    expect(promote.code, promote.stderr).toBe(0);
    expect(promote.stderr).toContain(
      `${finals}: 0 up to date, 7 new, 0 changed, 0 to retry, 0 removed → 7 runs, ~$0.931`,
    );
    expect(promote.stderr).toContain(
      "Drafts and finals: $0.540 for 60 draft images + ~$0.931 for 7 finals at high = ~$1.471; " +
        "all 60 draft images at high would cost ~$7.980: ~$6.509 saved (82 %).",
    );

    // Exactly 7 new runs, all edits at high, billed exactly.
    const after = bed.sim.ledger();
    expect(after.runsCreated - before.runsCreated).toBe(7);
    expect(after.billedMicros - before.billedMicros).toBe(7 * 133_000);
    const report = JSON.parse(await readFile(path.join(finals, "cost-report.json"), "utf8"));
    expect(report.totals).toMatchObject({ rows: 7, succeeded: 7, images: 7, actual_usd: "0.931" });

    // Each final: named after its draft image, lineage recorded, and at the simulator an edit whose
    // reference is that draft image's output, signed after the promote started.
    const finalLines = await lines(path.join(finals, "results.jsonl"));
    expect(finalLines.map((l) => l.id)).toEqual(picked.map(([id, n]) => `${id}-${n}`));
    for (const [i, [id, n]] of picked.entries()) {
      const line = finalLines[i]!;
      const draftRun = draftLines.get(id)!.run_id!;
      expect(line).toMatchObject({
        status: "succeeded",
        cost_usd: "0.133",
        images: [`images/${id}-${n}.png`],
        draft_batch: "drafts",
        draft_row: id,
        draft_image: n,
        draft_run_id: draftRun,
      });
      const run = await simRun(bed, line.run_id!);
      expect(run.model).toBe("openai/gpt-image-2/edit");
      expect(run.input.quality).toBe("high");
      expect(run.input.prompt.startsWith(`product ${Number(id.slice(1))} on a linen tablecloth\n\n`)).toBe(
        true,
      );
      expect(run.input.image_urls).toHaveLength(1);
      const url = new URL(run.input.image_urls[0]!);
      expect(url.pathname).toBe(`/outputs/${draftRun}/${n - 1}.png`);
      expect(Number(url.searchParams.get("expires")) * 1000).toBeGreaterThan(promotedAt);
    }
    // results.csv: the lineage columns after the rich ones (the prompt, with its instruction, spans lines).
    const csv = await readFile(path.join(finals, "results.csv"), "utf8");
    expect(csv.split("\n")[0]).toMatch(/,cost_per_image_usd,draft_batch,draft_row,draft_image,draft_run_id$/);
    expect(csv).toContain(`,0.133,drafts,p00,1,${draftLines.get("p00")!.run_id}\n`);

    // The reports: each final beside its draft image; the draft's picks link to their finals.
    const finalHtml = await readFile(path.join(finals, "report.html"), "utf8");
    expect(finalHtml).toContain('src="../drafts/images/p03-2.png"');
    const draftHtml = await readFile(path.join(drafts, "report.html"), "utf8");
    expect(draftHtml).toContain('class="final st-succeeded" href="../finals/images/p03-2.png"');
    expect(draftHtml.match(/class="final st-succeeded"/g)).toHaveLength(7);

    // Promote again: 2 more picks, 1 unpicked → 2 runs, 1 removed, nothing paid twice.
    const again = path.join(dir, "again.csv");
    const now: [string, number][] = [...picked.filter(([id]) => id !== "p11"), ["p05", 2], ["p12", 1]];
    await writeFile(again, picksCsv(now.map(([id, n]) => [id, n, "pick"] as [string, number, string])));
    expect((await cli(["picks", "drafts", "--import", again], bed.env())).code).toBe(0);
    const second = await cli(["promote", "drafts", "--out", finals, "--poll-interval", "10"], bed.env());
    expect(second.code, second.stderr).toBe(0);
    expect(second.stderr).toContain(
      `${finals}: 6 up to date, 2 new, 0 changed, 0 to retry, 1 removed → 2 runs, ~$0.266`,
    );
    const last = bed.sim.ledger();
    expect(last.runsCreated - after.runsCreated).toBe(2);
    expect(last.billedMicros - after.billedMicros).toBe(2 * 133_000);
    for (const runs of Object.values(last.byClientRef)) expect(runs).toHaveLength(1);
    const secondLines = await lines(path.join(finals, "results.jsonl"));
    expect(secondLines.filter((l) => l.status === "succeeded")).toHaveLength(8);
    expect(secondLines.filter((l) => l.status === "removed").map((l) => l.id)).toEqual(["p11-2"]);
  });

  it("fails the final of a draft whose outputs Runflow no longer serves, naming the draft run; the rest succeed", async () => {
    const { dir, drafts } = await runDrafts(bed, draftRows(4, 2));
    const draftLines = new Map((await lines(path.join(drafts, "results.jsonl"))).map((l) => [l.id, l]));
    const gone = draftLines.get("p02")!.run_id!;
    expect(
      (await fetch(`${bed.sim.url}/__simulator/runs/${gone}/expire-outputs`, { method: "POST" })).ok,
    ).toBe(true);
    const file = path.join(dir, "picks.csv");
    await writeFile(
      file,
      picksCsv([
        ["p00", 1, "pick"],
        ["p02", 2, "pick"],
        ["p03", 1, "pick"],
      ]),
    );
    const before = bed.sim.ledger().runsCreated;
    const promote = await cli(
      ["promote", drafts, "--out", path.join(dir, "finals"), "--picks", file, "--poll-interval", "10"],
      bed.env(),
    );
    expect(promote.code, promote.stderr).toBe(1);
    expect(bed.sim.ledger().runsCreated - before).toBe(2);
    // The finals never go into the draft's own directory (they would make its rows "removed").
    const into = await cli(["promote", drafts, "--out", drafts], bed.env());
    expect(into.code).toBe(2);
    expect(into.stderr).toContain("is the draft batch's own directory");
    const finalLines = await lines(path.join(dir, "finals", "results.jsonl"));
    expect(finalLines.map((l) => [l.id, l.status])).toEqual([
      ["p00-1", "succeeded"],
      ["p02-2", "failed"],
      ["p03-1", "succeeded"],
    ]);
    expect(finalLines[1]!.error).toBe(
      `the draft image it is made from is no longer served by Runflow: draft run ${gone} ` +
        "(batch drafts, row p02, image 2) has no output to give. Run that draft row again " +
        "(or pick another image) and promote again",
    );
  });

  it("--as fresh samples the draft's inputs again at high, one image per pick, with lineage", async () => {
    const { dir, drafts } = await runDrafts(bed, draftRows(3, 2));
    const file = path.join(dir, "picks.csv");
    await writeFile(
      file,
      picksCsv([
        ["p00", 2, "pick"],
        ["p02", 1, "pick"],
      ]),
    );
    const finals = path.join(dir, "finals");
    const promote = await cli(
      ["promote", drafts, "--out", finals, "--picks", file, "--as", "fresh", "--poll-interval", "10"],
      bed.env(),
    );
    expect(promote.code, promote.stderr).toBe(0);
    const finalLines = await lines(path.join(finals, "results.jsonl"));
    expect(finalLines.map((l) => [l.id, l.status, l.draft_row, l.draft_image])).toEqual([
      ["p00-2", "succeeded", "p00", 2],
      ["p02-1", "succeeded", "p02", 1],
    ]);
    for (const line of finalLines) {
      const run = await simRun(bed, line.run_id!);
      expect(run.model).toBe("openai/gpt-image-2");
      expect(run.input).toEqual({
        prompt: `product ${Number(line.draft_row!.slice(1))} on a linen tablecloth`,
        quality: "high",
        num_images: 1,
      });
    }
  });
});

describe("promote killed mid-way", () => {
  const clock = manualClock(Date.now());
  const bed = useTestbed({ latencyMs: { min: 300, max: 900 }, seed: 7, clock });

  it("SIGKILL of the promoting process, then the same command again: one run per final, none twice", async () => {
    const dir = await tempDir();
    const drafts = path.join(dir, "drafts");
    const rows = draftRows(20, 2);
    const run = await advanceWhile(
      clock,
      cli(
        ["run", await writeJsonl(dir, rows), "--out", drafts, "--batch", "drafts", "--poll-interval", "50"],
        bed.env(),
      ),
    );
    expect(run.code, run.stderr).toBe(0);
    const picked = rows.slice(0, 12).map((r, i): [string, number, string] => [r.id, (i % 2) + 1, "pick"]);
    const file = path.join(dir, "picks.csv");
    await writeFile(file, picksCsv(picked));
    const finals = path.join(dir, "finals");
    const args = ["--out", finals, "--concurrency", "4", "--poll-interval", "50", "--lock-duration", "2000"];
    const before = bed.sim.ledger();

    const first = spawnCli(["promote", drafts, "--picks", file, ...args], bed.env());
    try {
      // Four finals created and in flight (their runs end only when the clock moves): kill it now,
      // whether or not it has saved their run ids yet.
      await eventually(() => bed.sim.ledger().runsCreated - before.runsCreated === 4, {
        what: "the first promote to create 4 runs",
      });
      first.child.kill("SIGKILL");
      expect(await first.exited).toBe("SIGKILL");
    } finally {
      if (first.child.exitCode === null && first.child.signalCode === null) first.child.kill("SIGKILL");
    }

    const second = await advanceWhile(clock, cli(["promote", drafts, ...args], bed.env()));
    expect(second.code, second.stderr).toBe(0);
    // Killed before or after saving the 4 run ids, the next promote resumes them or replays their
    // creates with the exact bodies saved before them (the same draft URLs): either way, no new run.
    const after = bed.sim.ledger();
    expect(after.runsCreated - before.runsCreated).toBe(12);
    expect(after.billedMicros - before.billedMicros).toBe(12 * 133_000);
    for (const runs of Object.values(after.byClientRef)) expect(runs).toHaveLength(1);
    const finalLines = await lines(path.join(finals, "results.jsonl"));
    expect(finalLines.filter((l) => l.status === "succeeded")).toHaveLength(12);
  });
});
