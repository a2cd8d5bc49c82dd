import { Writable } from "node:stream";
import { describe, expect, it } from "vitest";
import { formatDuration } from "../core/duration.js";
import { createEpisode } from "./episodes.js";
import { createLogger } from "./logger.js";
import { manualClock } from "../../test/helpers/manual-clock.js";

function capture() {
  const lines: { level: number; msg: string; [k: string]: unknown }[] = [];
  const destination = new Writable({
    write: (chunk, _enc, done) => (lines.push(JSON.parse(String(chunk))), done()),
  });
  return { logger: createLogger({ level: "info", destination }), lines };
}

const rateLimited = (
  logger: ReturnType<typeof capture>["logger"],
  clock: ReturnType<typeof manualClock>,
  quietMs: number | null,
) =>
  createEpisode({
    logger,
    clock,
    quietMs,
    started: () => "rate limited: requests are being delayed",
    summary: (n, ms) => `rate limited: ${n} requests delayed in the last ${formatDuration(ms)}`,
    ended: (n, ms) => `no longer rate limited (${n} requests delayed over ${formatDuration(ms)})`,
  });

describe("episodes: one line when a condition starts, a summary while it lasts, one when it ends", () => {
  it("turns 1,000 occurrences into a start line, periodic summaries and an end line", () => {
    const { logger, lines } = capture();
    const clock = manualClock();
    const episode = rateLimited(logger, clock, 10_000);
    for (let i = 0; i < 1_000; i += 1) {
      episode.occurred({ delayMs: 5_000 });
      clock.advance(50); // 20 a second for 50 s
    }
    expect(episode.ongoing).toBe(true);
    clock.advance(40_000); // quiet for 10 s: ends at the next summary tick, whose window the end line covers
    expect(episode.ongoing).toBe(false);
    const messages = lines.map((l) => l.msg);
    expect(messages).toEqual([
      "rate limited: requests are being delayed",
      "rate limited: 599 requests delayed in the last 30 s",
      "no longer rate limited (1000 requests delayed over 50 s)",
    ]);
    expect(lines[0]).toMatchObject({ level: 40, delayMs: 5_000 });
    expect(lines[2]).toMatchObject({ level: 30, occurrences: 1_000 });
  });

  it("says nothing in a window without occurrences, and an explicit end ends it at once", () => {
    const { logger, lines } = capture();
    const clock = manualClock();
    const episode = rateLimited(logger, clock, null);
    episode.occurred();
    clock.advance(95_000);
    expect(lines).toHaveLength(1);
    episode.end();
    episode.end(); // twice: still one end line
    expect(lines.map((l) => l.msg)).toEqual([
      "rate limited: requests are being delayed",
      "no longer rate limited (1 requests delayed over 1 min 35 s)",
    ]);
    expect(clock.pending()).toEqual([]);
    episode.occurred(); // a new episode
    expect(lines).toHaveLength(3);
    episode.close();
    expect(clock.pending()).toEqual([]);
  });
});
