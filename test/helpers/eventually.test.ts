import { describe, expect, it } from "vitest";
import { eventually, eventuallyPasses } from "./eventually.js";

describe("eventually", () => {
  it("returns the first value that is neither undefined nor false, retrying through errors", async () => {
    let calls = 0;
    const value = await eventually(() => {
      calls += 1;
      if (calls === 1) throw new Error("not yet");
      return calls < 3 ? false : `after ${calls}`;
    });
    expect(value).toBe("after 3");
  });

  it("gives up after the deadline, naming what it waited for and the last error", async () => {
    const failing = eventually(
      () => {
        throw new Error("still 0");
      },
      { timeoutMs: 30, what: "the counter" },
    );
    const message = "eventually: the counter was not met within 30 ms; last error: still 0";
    await expect(failing).rejects.toThrow(message);
    const assertion = eventuallyPasses(() => expect(1).toBe(2), { timeoutMs: 30 });
    await expect(assertion).rejects.toThrow(/expected 1 to be 2/);
  });
});
