import { createHash } from "node:crypto";
import { describe, expect, it } from "vitest";
import { createPlanAccumulator, planLine, planRow, rowContentSha } from "./plan.js";

const sha = rowContentSha({ model: "openai/gpt-image-2", input: { prompt: "a chair", quality: "low" } });
const recorded = (status: "succeeded" | "failed", contentSha: string | null = sha, imagesOnDisk = true) => ({
  status,
  contentSha,
  imagesOnDisk,
});

describe("bringing a batch up to date", () => {
  it("fingerprints model and input, whatever the key order", () => {
    expect(rowContentSha({ model: "openai/gpt-image-2", input: { quality: "low", prompt: "a chair" } })).toBe(
      sha,
    );
    expect(
      rowContentSha({ model: "openai/gpt-image-2", input: { quality: "high", prompt: "a chair" } }),
    ).not.toBe(sha);
    expect(
      rowContentSha({ model: "openai/gpt-image-1.5", input: { quality: "low", prompt: "a chair" } }),
    ).not.toBe(sha);
  });

  it("fingerprints a final's draft image too: another image or draft run is another final", () => {
    const edit = { model: "openai/gpt-image-2/edit", input: { prompt: "a chair", quality: "high" } };
    const draft = { batch: "drafts", row: "chair", image: 2, run_id: "r1", reference: true };
    const final = rowContentSha({ ...edit, draft });
    // What is fingerprinted, spelled out: the draft image by batch, row, number and run — no URL.
    const text =
      '{"draft":{"batch":"drafts","image":2,"reference":true,"row":"chair","run_id":"r1"},' +
      '"input":{"prompt":"a chair","quality":"high"},"model":"openai/gpt-image-2/edit"}';
    expect(final).toBe(createHash("sha256").update(text).digest("hex").slice(0, 32));
    expect(rowContentSha({ ...edit, draft: { ...draft, image: 3 } })).not.toBe(final);
    expect(rowContentSha({ ...edit, draft: { ...draft, run_id: "r2" } })).not.toBe(final);
    // A row without a draft keeps the fingerprint it always had.
    expect(rowContentSha(edit)).toBe(rowContentSha({ ...edit, draft: undefined }));
    expect(rowContentSha(edit)).not.toBe(final);
  });

  it("keeps unchanged succeeded rows, reruns changed and failed ones, restores missing images", () => {
    expect(planRow(sha, null)).toBe("new");
    expect(planRow(sha, null, { hasRun: false, wasInBatch: true })).toBe("waiting");
    expect(planRow(sha, null, { hasRun: true, wasInBatch: true })).toBe("resume");
    expect(planRow(sha, recorded("succeeded"))).toBe("up-to-date");
    expect(planRow(sha, recorded("succeeded", null))).toBe("up-to-date");
    expect(planRow("other", recorded("succeeded"))).toBe("changed");
    expect(planRow("other", recorded("failed"))).toBe("changed");
    expect(planRow(sha, recorded("failed"))).toBe("retry");
    expect(planRow(sha, recorded("succeeded", sha, false))).toBe("restore");
  });

  it("states the plan in one line, counting only new runs' cost", () => {
    const acc = createPlanAccumulator();
    for (let i = 0; i < 49_985; i++) acc.add("up-to-date", 30_000);
    for (let i = 0; i < 3; i++) acc.add("changed", 30_000);
    for (let i = 0; i < 12; i++) acc.add("retry", 30_000);
    expect(planLine("out/cat", acc.finish(0))).toBe(
      "out/cat: 49,985 up to date, 3 changed, 12 to retry, 0 removed → 15 runs, ~$0.450",
    );
    const first = createPlanAccumulator();
    first.add("new", 9_000);
    first.add("restore", 9_000);
    expect(planLine("d", first.finish(2))).toBe(
      "d: 0 up to date, 1 new, 0 changed, 0 to retry, 1 to download again, 2 removed → 1 run, ~$0.009",
    );
    const again = createPlanAccumulator();
    for (let i = 0; i < 24; i++) again.add("adopt", 133_000);
    again.add("waiting", 133_000);
    again.add("new", 133_000);
    expect(planLine("out/cat", again.finish(0, "Redis did not hold the batch"))).toBe(
      "out/cat: 0 up to date, 24 adopted from out/cat (Redis did not hold the batch), 1 new, 1 not run yet, " +
        "0 changed, 0 to retry, 0 removed → 2 runs, ~$0.266",
    );
  });
});
