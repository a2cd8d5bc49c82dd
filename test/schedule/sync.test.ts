/**
 * `schedule sync` and `schedule list` against a real Redis: Redis holds exactly the enabled
 * schedules of the folder, only our schedulers are touched, an invalid file changes nothing
 * (exit 2 with file and field), and list shows the next fire times.
 */
import { rm } from "node:fs/promises";
import { describe, expect, it } from "vitest";
import { Queue } from "bullmq";
import { createKeys } from "../../src/ledger/keys.js";
import { cli } from "../helpers/cli.js";
import { generations, tempDir, writeJsonl } from "../helpers/manifests.js";
import { useTestbed } from "../helpers/testbed.js";
import { installed, writeSchedule } from "./schedules.js";

describe("schedule sync", () => {
  const bed = useTestbed();

  it("installs, updates, removes deleted or disabled schedules; idempotent", async () => {
    const dir = await tempDir();
    await writeJsonl(dir, generations(2), "rows.jsonl");
    const nightly = await writeSchedule(dir, "nightly", {
      manifest: "rows.jsonl",
      cron: "0 2 * * *",
      tz: "Europe/Berlin",
    });
    await writeSchedule(dir, "weekly", { manifest: "rows.jsonl", cron: "0 3 * * 1", tz: "America/New_York" });
    await writeSchedule(dir, "paused", {
      manifest: "rows.jsonl",
      cron: "0 4 * * *",
      tz: "UTC",
      enabled: false,
    });
    // Someone else's scheduler on our queue is never touched.
    const foreign = new Queue("schedules", {
      connection: bed.redis.redis,
      prefix: createKeys(bed.redis.prefix).bullPrefix,
    });
    await foreign.upsertJobScheduler("theirs", { pattern: "0 5 * * *", tz: "UTC" }, { name: "theirs" });

    const first = await cli(["schedule", "sync", dir], bed.env());
    expect(first.code, first.stderr).toBe(0);
    expect(first.stdout).toBe("added nightly\nadded weekly\nRedis holds 2 schedules.\n");
    const held = await installed(bed.redis);
    expect(held.map((s) => [s.name, s.data?.schedule.cron, s.data?.schedule.tz])).toEqual([
      ["nightly", "0 2 * * *", "Europe/Berlin"],
      ["weekly", "0 3 * * 1", "America/New_York"],
    ]);
    // 02:00 in Berlin in winter.
    expect(new Date(held[0]!.next!).toISOString().slice(11)).toBe("01:00:00.000Z");

    expect((await cli(["schedule", "sync", dir], bed.env())).stdout).toBe(
      "Nothing to change: Redis holds 2 schedules.\n",
    );

    await writeSchedule(dir, "nightly", { manifest: "rows.jsonl", cron: "30 2 * * *", tz: "Europe/Berlin" });
    await writeSchedule(dir, "weekly", {
      manifest: "rows.jsonl",
      cron: "0 3 * * 1",
      tz: "America/New_York",
      enabled: false,
    });
    expect((await cli(["schedule", "sync", dir], bed.env())).stdout).toBe(
      "updated nightly\nremoved weekly (enabled: false)\nRedis holds 1 schedule.\n",
    );
    expect((await installed(bed.redis)).map((s) => s.data?.schedule.cron)).toEqual(["30 2 * * *"]);

    await rm(nightly);
    expect((await cli(["schedule", "sync", dir], bed.env())).stdout).toBe(
      "removed nightly (its file is gone)\nRedis holds 0 schedules.\n",
    );
    expect(await installed(bed.redis)).toEqual([]);
    expect((await foreign.getJobSchedulers()).map((s) => s.key)).toEqual(["theirs"]);
    await foreign.close();
  });

  it("refuses an invalid folder (exit 2, file and field), keeping what works", async () => {
    const dir = await tempDir();
    await writeJsonl(dir, generations(1), "rows.jsonl");
    await writeSchedule(dir, "nightly", { manifest: "rows.jsonl", cron: "0 2 * * *", tz: "Europe/Berlin" });
    expect((await cli(["schedule", "sync", dir], bed.env())).code).toBe(0);

    await writeSchedule(dir, "nightly", { manifest: "rows.jsonl", cron: "0 2 * *", tz: "Europe/Berlin" });
    await writeSchedule(dir, "broken", { manifest: "rows.jsonl", cron: "0 2 * * *", timezone: "UTC" });
    const refused = await cli(["schedule", "sync", dir], bed.env());
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain(`${dir}: 2 schedule files have problems; nothing was changed in Redis.`);
    expect(refused.stderr).toContain(`${dir}/broken.schedule.yaml: unknown field "timezone"`);
    expect(refused.stderr).toContain(`${dir}/broken.schedule.yaml: tz is required`);
    expect(refused.stderr).toContain(`${dir}/nightly.schedule.yaml: cron must be 5 fields`);
    expect(refused.stderr).toContain('got "0 2 * *" (4 fields)');
    // The working schedule is still there, as it was.
    expect((await installed(bed.redis)).map((s) => [s.name, s.data?.schedule.cron])).toEqual([
      ["nightly", "0 2 * * *"],
    ]);

    const listed = await cli(["schedule", "list", dir], bed.env());
    expect(listed.code).toBe(2);
    expect(listed.stdout).toContain(
      `${dir}/broken.schedule.yaml — invalid (sync refuses until it is fixed):`,
    );
    expect(listed.stdout).toContain(`${dir}/nightly.schedule.yaml — invalid`);
  });

  it("list shows the next three fire times in the zone and in UTC, and whether Redis holds it", async () => {
    const dir = await tempDir();
    await writeJsonl(dir, generations(1), "rows.jsonl");
    await writeSchedule(dir, "nightly", {
      manifest: "rows.jsonl",
      cron: "0 2 * * *",
      tz: "Asia/Tokyo",
      starting_deadline: "2h",
      max_cost: 5,
    });
    const before = await cli(["schedule", "list", dir], bed.env());
    expect(before.code, before.stderr).toBe(0);
    expect(before.stdout).toContain("not in Redis yet: run `schedule sync`");
    await cli(["schedule", "sync", dir], bed.env());
    const listed = await cli(["schedule", "list", dir], bed.env());
    const lines = listed.stdout.split("\n");
    expect(lines.slice(0, 3)).toEqual([
      `nightly — ${dir}/nightly.schedule.yaml`,
      '  cron "0 2 * * *" in Asia/Tokyo, overlap skip, starting deadline 2h, cap $5.000',
      "  in Redis, up to date",
    ]);
    const next = lines.slice(3, 6);
    expect(next).toHaveLength(3);
    // 02:00 in Tokyo is 17:00 UTC the day before.
    for (const line of next)
      expect(line).toMatch(
        /^ {2}(next| {4}) {2}\d{4}-\d{2}-\d{2} 02:00 Asia\/Tokyo \(\d{4}-\d{2}-\d{2} 17:00 UTC\)$/,
      );
    expect(lines[6]).toBe("  last  no occurrence yet");
  });
});
