import { describe, expect, it } from "vitest";
import { occurrenceOf } from "./occurrence.js";
import { checkSchedule } from "./schedule-schema.js";
import { keepsOneDirectory, sharedOutDir } from "./schedule.js";
import { occurrenceSettings } from "./start-occurrence.js";

const minimal = {
  name: "nightly",
  manifest: "nightly.jsonl",
  cron: "0 2 * * *",
  tz: "UTC",
  out: "s3://night-cat/{name}/{date}/",
};

function schedule(out: string) {
  const checked = checkSchedule({ ...minimal, out }, "/srv/jobs/n.schedule.yaml", "jobs/n.schedule.yaml");
  if (!checked.ok) throw new Error(checked.problems.map((p) => p.message).join("\n"));
  return checked.schedule;
}

describe("a schedule whose out is an S3 prefix", () => {
  it("gives each occurrence its prefix as written, never a path under the working directory", async () => {
    const nightly = schedule(minimal.out);
    const occurrence = occurrenceOf(
      { name: "nightly", tz: "UTC", seconds: false },
      Date.parse("2026-12-01T02:00:00Z"),
    );
    const { out } = await occurrenceSettings(nightly, occurrence, "b-1", "/srv/runner");
    expect(out).toBe("s3://night-cat/nightly/2026-12-01");
    expect(keepsOneDirectory(nightly)).toBe(false);
    expect(sharedOutDir(nightly, Date.parse("2026-12-01T00:00:00Z"))).toBeNull();
  });

  it("keeps one prefix up to date when out names neither {date} nor {time}", async () => {
    const kept = schedule("s3://night-cat/{name}");
    const occurrence = occurrenceOf(
      { name: "nightly", tz: "UTC", seconds: false },
      Date.parse("2026-12-02T02:00:00Z"),
    );
    expect(keepsOneDirectory(kept)).toBe(true);
    expect((await occurrenceSettings(kept, occurrence, "b-2", "/srv")).out).toBe("s3://night-cat/nightly");
  });
});
