import { describe, expect, it } from "vitest";
import { delayAt, learnedSchedule, pollDelay, scheduleFor } from "./poll-schedule.js";

describe("poll schedule", () => {
  const schedule = scheduleFor(20_000, { jitter: 0 });

  it("first looks at about three quarters of the model's typical duration", () => {
    expect(pollDelay(schedule, 0)).toBe(15_000);
  });

  it("then polls every 2 s, growing by half each time up to 10 s", () => {
    expect([1, 2, 3, 4, 5, 6, 7].map((n) => pollDelay(schedule, n))).toEqual([
      2_000, 3_000, 4_500, 6_750, 10_000, 10_000, 10_000,
    ]);
  });

  it("spreads the first look earlier only, so a run that ends on time is never seen late", () => {
    const jittered = scheduleFor(20_000);
    expect(pollDelay(jittered, 0, () => 0)).toBe(15_000);
    expect(pollDelay(jittered, 0, () => 0.5)).toBe(13_500);
    expect(pollDelay(jittered, 0, () => 0.999_999)).toBe(12_000);
  });

  it("spreads later delays both ways by the jitter so runs started together do not poll in lockstep", () => {
    const jittered = scheduleFor(20_000);
    expect(pollDelay(jittered, 1, () => 0)).toBe(1_600);
    expect(pollDelay(jittered, 1, () => 0.999_999)).toBe(2_400);
    expect(pollDelay(jittered, 1, () => 0.5)).toBe(2_000);
  });

  it("honours overrides (tests and the simulator poll fast)", () => {
    const fast = scheduleFor(20_000, { initialMs: 30, intervalMs: 30, maxMs: 30, jitter: 0 });
    expect([0, 1, 5].map((n) => pollDelay(fast, n))).toEqual([30, 30, 30]);
  });
});

describe("learned poll schedule", () => {
  /** GETs per run and mean lag of `schedule` on these latencies (no jitter). */
  function simulate(latencies: number[], schedule: ReturnType<typeof learnedSchedule>) {
    if (!schedule) throw new Error("no schedule");
    let gets = 0;
    let lag = 0;
    for (const ms of latencies) {
      let t = 0;
      for (let attempt = 0; ; attempt += 1) {
        t += pollDelay({ ...schedule, jitter: 0 }, attempt);
        gets += 1;
        if (t >= ms) break;
      }
      lag += t - ms;
    }
    return { gets: gets / latencies.length, lag: lag / latencies.length };
  }
  const spread = (n: number, min: number, max: number) =>
    Array.from({ length: n }, (_, i) => min + ((max - min) * i) / (n - 1));

  it("waits for enough runs before replacing the typical duration", () => {
    expect(learnedSchedule([27_500, 27_500, 27_500])).toBeNull();
  });

  it("runs of a steady 27.5 s: found in ≤ 2.5 GETs with a lag under 10 % (the default takes ~5 GETs and 3.75 s)", () => {
    const latencies = spread(100, 26_000, 29_000);
    const learned = learnedSchedule(latencies);
    const result = simulate(latencies, learned);
    expect(result.gets).toBeLessThanOrEqual(2.5);
    expect(result.lag).toBeLessThanOrEqual(0.1 * 27_500);
    const before = simulate(latencies, scheduleFor(20_000));
    expect(before.gets).toBeGreaterThan(4);
    expect(before.lag).toBeGreaterThan(result.lag);
  });

  it("a wide spread (15–40 s) keeps the lag under 10 % of the mean latency, at more GETs", () => {
    const latencies = spread(200, 15_000, 40_000);
    const result = simulate(latencies, learnedSchedule(latencies));
    expect(result.lag).toBeLessThanOrEqual(0.1 * 27_500);
    expect(result.gets).toBeLessThan(6);
  });

  it("stragglers past every latency seen are polled at growing gaps, not forever tightly", () => {
    const learned = learnedSchedule(spread(50, 9_000, 11_000))!;
    const late = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 20, 30].map((n) =>
      pollDelay({ ...learned, jitter: 0 }, n),
    );
    expect(late.at(-1)).toBe(10_000);
    expect(late.at(-1)!).toBeGreaterThan(late[1]!);
  });
});

describe("delay to the next planned poll", () => {
  const schedule = scheduleFor(20_000, { jitter: 0 }); // polls at 15, 17, 20, 24.5, 31.25, 41.25 s, …
  it("follows the schedule's timeline from wherever the run is", () => {
    expect(delayAt(schedule, 0)).toBe(15_000);
    expect(delayAt(schedule, 15_000)).toBe(2_000);
    expect(delayAt(schedule, 16_000)).toBe(1_000);
    expect(delayAt(schedule, 24_600)).toBe(6_650);
  });
  it("a schedule learned meanwhile applies from the elapsed time, not from poll one", () => {
    const learned = learnedSchedule(Array.from({ length: 50 }, (_, i) => 27_000 + i * 20))!;
    expect(delayAt({ ...learned, jitter: 0 }, 24_500)).toBe(learned.initialMs - 24_500);
  });
});

describe("delay to the next planned poll, with jitter", () => {
  it("polls each planned time once: a poll jitter made early is not followed by another for the same time", () => {
    const schedule = scheduleFor(20_000); // jitter 0.2; planned 15, 17, 20, 24.5 s
    let elapsed = pollDelay(schedule, 0, () => 0.999); // the first look, as early as jitter goes: 12 s
    const polls = [elapsed];
    while (elapsed < 24_000) {
      elapsed += delayAt(schedule, elapsed, () => 0); // every later delay as early as jitter goes
      polls.push(elapsed);
    }
    expect(polls).toEqual([12_003, 16_600, 19_400, 23_600, 29_900]); // planned 15, 17, 20, 24.5, 31.25 s: one each
  });
});
