import { describe, expect, it } from "vitest";
import { createLatencyBook } from "./latency-book.js";
import { COLD_POLL, FOLLOW_POLL, SCOUTS, type RunTrack } from "./poll-schedule.js";

const MODEL = "openai/gpt-image-2";
const exact = (ms: number) => ({ lowMs: ms, highMs: ms });

function setup() {
  let now = 1_000_000;
  const book = createLatencyBook({ now: () => now });
  const track = (): RunTrack => book.schedule(MODEL).track!(now);
  return { book, track, advance: (ms: number) => void (now += ms) };
}

describe("latency book", () => {
  it("knowing nothing: a few runs scout (early, every tenth of their age), the others look rarely", () => {
    const { book, track } = setup();
    const runs = Array.from({ length: SCOUTS + 5 }, track);
    expect(runs.filter((run) => run.scout)).toHaveLength(SCOUTS);
    const schedule = book.schedule(MODEL);
    expect(schedule).toMatchObject({ initialMs: COLD_POLL.initialMs, factor: COLD_POLL.factor });
    expect(schedule.follow).toMatchObject({ initialMs: FOLLOW_POLL.initialMs, recheckShare: 0.1 });
    // A scout that ends makes room for another.
    runs[0]!.ended(null);
    expect(track().scout).toBe(true);
  });

  it("the first run to end teaches a plan the others follow at once; scouts look on meanwhile", () => {
    const { book, track, advance } = setup();
    const runs = Array.from({ length: 20 }, track);
    advance(9_000);
    for (const run of runs.slice(1)) run.pending(8_900);
    runs[0]!.ended(exact(9_000));
    const schedule = book.schedule(MODEL);
    expect(schedule.follow?.times?.[0]).toBeGreaterThanOrEqual(9_000);
    expect(schedule.follow?.recheckShare).toBe(0.1);
    expect(schedule.initialMs).toBe(COLD_POLL.initialMs); // scouts still scout
  });

  it("once enough runs ended and none waits far past them: one plan for every run, learned from them", () => {
    const { book, track, advance } = setup();
    const runs = Array.from({ length: 40 }, track);
    advance(10_000);
    runs.forEach((run, i) => run.ended(exact(9_800 + i * 10)));
    const schedule = book.schedule(MODEL);
    expect(schedule.follow).toBeUndefined();
    expect(schedule.recheckShare).toBeUndefined();
    expect(schedule.times?.at(-1)).toBeGreaterThanOrEqual(10_190);
    expect(schedule.times!.length).toBeLessThanOrEqual(2);
    expect(track().scout).toBe(false);
  });

  it("starts from latencies stored elsewhere (an earlier batch, another process), per model", () => {
    const { book } = setup();
    book.absorb(
      MODEL,
      Array.from({ length: 64 }, (_, i) => exact(27_000 + i * 30)),
    );
    expect(book.schedule(MODEL).times?.[0]).toBeGreaterThan(26_000);
    expect(book.schedule("openai/gpt-image-2/edit").initialMs).toBe(COLD_POLL.initialMs);
  });

  it("hands out what its runs taught for storing once, and takes it back when it could not be stored", () => {
    const { book, track } = setup();
    const [a, b] = [track(), track()];
    a.ended(exact(5_000));
    b.ended({ lowMs: 4_000, highMs: 6_000 });
    a.ended(exact(1)); // a second end of one run is ignored
    const taken = book.drain();
    expect(taken.get(MODEL)).toEqual([exact(5_000), { lowMs: 4_000, highMs: 6_000 }]);
    expect(book.drain().size).toBe(0);
    book.restore(taken);
    expect(book.drain().get(MODEL)).toHaveLength(2);
  });
});
