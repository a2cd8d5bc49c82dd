import { describe, expect, it } from "vitest";
import { savingLine } from "./saving.js";

describe("what drafting saves", () => {
  it("says the issue's arithmetic: four low takes and one high final against four high takes", () => {
    // 4 × $0.009 + 1 × $0.133 = $0.169, against 4 × $0.133 = $0.532.
    expect(
      savingLine({
        draftImages: 4,
        draftSpentMicros: 36_000,
        finals: 1,
        finalsMicros: 133_000,
        quality: "high",
        allAtFinalMicros: 532_000,
      }),
    ).toBe(
      "Drafts and finals: $0.036 for 4 draft images + ~$0.133 for 1 final at high = ~$0.169; " +
        "all 4 draft images at high would cost ~$0.532: ~$0.363 saved (68 %).",
    );
  });

  it("says so when finals of nearly every image cost more than running them all at once", () => {
    expect(
      savingLine({
        draftImages: 1,
        draftSpentMicros: 9_000,
        finals: 1,
        finalsMicros: 133_000,
        quality: "high",
        allAtFinalMicros: 133_000,
      }),
    ).toBe(
      "Drafts and finals: $0.009 for 1 draft image + ~$0.133 for 1 final at high = ~$0.142; " +
        "all 1 draft image at high would cost ~$0.133: no saving.",
    );
  });
});
