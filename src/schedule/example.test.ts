/** The example schedule shipped in jobs/ is valid and points at the nightly manifest. */
import { access } from "node:fs/promises";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { loadScheduleFolder } from "./load.js";
import { ROOT } from "../../test/helpers/cli.js";

describe("jobs/", () => {
  it("holds a valid, disabled example schedule for nightly.jsonl; manifests are not schedules", async () => {
    const folder = await loadScheduleFolder(
      path.join(ROOT, "jobs"),
      "jobs",
      Date.parse("2026-12-01T12:00:00Z"),
    );
    expect(folder.problems).toEqual([]);
    expect(folder.files.map((f) => f.shown)).toEqual(["jobs/nightly.schedule.yaml"]);
    const [file] = folder.files;
    expect(file?.ok && file.schedule).toMatchObject({
      name: "nightly",
      manifest: path.join(ROOT, "jobs", "nightly.jsonl"),
      cron: "0 2 * * *",
      tz: "Europe/Berlin",
      out: "out/{name}/{date}",
      capMicros: 1_000_000,
      overlap: "skip",
      startingDeadlineMs: 7_200_000,
      enabled: false,
    });
    await access(path.join(ROOT, "jobs", "nightly.jsonl"));
  });
});
