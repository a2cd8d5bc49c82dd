import { describe, expect, it } from "vitest";
import { createLatencyBook } from "./latency-book.js";
import { LEARN_AFTER, scheduleFor } from "./poll-schedule.js";

describe("latency book", () => {
  const fallback = () => scheduleFor(20_000);
  it("uses the fallback until enough runs of the model were seen, then their schedule, per model", () => {
    const book = createLatencyBook();
    for (let i = 0; i < LEARN_AFTER - 1; i += 1) book.observe("openai/gpt-image-2", 27_000 + i * 100);
    book.observe("openai/gpt-image-2", null); // a run without duration_ms teaches nothing
    expect(book.schedule("openai/gpt-image-2", fallback)).toEqual(fallback());
    book.observe("openai/gpt-image-2", 27_500);
    const learned = book.schedule("openai/gpt-image-2", fallback);
    expect(learned.initialMs).toBeGreaterThanOrEqual(27_000);
    expect(learned.initialMs).toBeLessThanOrEqual(27_700);
    expect(book.schedule("openai/gpt-image-2/edit", fallback)).toEqual(fallback());
  });
});
