import { describe, expect, it } from "vitest";
import { delayAt, learnedSchedule, pollDelay, scheduleFor, type PollSchedule } from "./poll-schedule.js";

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
  /** GETs per run and mean lag of `schedule` on these latencies, as a run follows it (no jitter). */
  function simulate(latencies: readonly number[], schedule: PollSchedule | null) {
    if (!schedule) throw new Error("no schedule");
    const steady = { ...schedule, jitter: 0 };
    let gets = 0;
    let lag = 0;
    for (const ms of latencies) {
      let t = pollDelay(steady, 0);
      gets += 1;
      while (t < ms) {
        t += delayAt(steady, t);
        gets += 1;
      }
      lag += t - ms;
    }
    return { gets: gets / latencies.length, lag: lag / latencies.length };
  }
  const spread = (n: number, min: number, max: number) =>
    Array.from({ length: n }, (_, i) => min + ((max - min) * (i + 0.5)) / n);
  const exact = (latencies: readonly number[]) => latencies.map((ms) => ({ lowMs: ms, highMs: ms }));

  it("needs an ended run", () => {
    expect(learnedSchedule([])).toBeNull();
  });

  it("runs of a steady 26–29 s: one GET at their end, lag ~5 % (the fixed default: ~5 GETs, 3.75 s)", () => {
    const latencies = spread(200, 26_000, 29_000);
    const result = simulate(latencies, learnedSchedule(exact(spread(256, 26_000, 29_000))));
    expect(result.gets).toBeLessThanOrEqual(1.1);
    expect(result.lag).toBeLessThanOrEqual(0.07 * 27_500);
    const before = simulate(latencies, scheduleFor(20_000));
    expect(before.gets).toBeGreaterThan(4);
    expect(before.lag).toBeGreaterThan(result.lag);
  });

  it("4–6 s: at most 2.5 GETs per run, lag within 10 % of the mean latency (issue 19)", () => {
    const result = simulate(spread(2_000, 4_000, 6_000), learnedSchedule(exact(spread(256, 4_000, 6_000))));
    expect(result.gets).toBeLessThanOrEqual(2.5);
    expect(result.lag).toBeLessThanOrEqual(0.1 * 5_000);
  });

  it("15–40 s: at most 3 GETs per run, lag within 10 % of the mean latency (issue 19)", () => {
    const result = simulate(
      spread(2_000, 15_000, 40_000),
      learnedSchedule(exact(spread(256, 15_000, 40_000))),
    );
    expect(result.gets).toBeLessThanOrEqual(3);
    expect(result.lag).toBeLessThanOrEqual(0.1 * 27_500);
  });

  it("stragglers past every latency seen are looked at every 15 % of their age, not tightly forever", () => {
    const learned = learnedSchedule(exact(spread(50, 9_000, 11_000)))!;
    const last = learned.times!.at(-1)!;
    let t = last;
    const gaps: number[] = [];
    for (let i = 0; i < 6; i += 1) {
      const gap = delayAt({ ...learned, jitter: 0 }, t);
      gaps.push(gap);
      t += gap;
    }
    expect(gaps[0]).toBeGreaterThanOrEqual(0.14 * last);
    expect(gaps[5]!).toBeGreaterThan(gaps[0]!);
    expect(Math.max(...gaps)).toBeLessThanOrEqual(10_000);
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
    const learned = learnedSchedule(
      Array.from({ length: 50 }, (_, i) => ({ lowMs: 27_000 + i * 20, highMs: 27_000 + i * 20 })),
    )!;
    expect(delayAt({ ...learned, jitter: 0 }, 24_500)).toBe(learned.initialMs - 24_500);
  });
  it("a planned time just after the run's last poll counts as polled (a re-plan costs no extra GET)", () => {
    const plan = { ...scheduleFor(20_000, { jitter: 0 }), times: [10_000, 16_000, 22_000] };
    expect(delayAt(plan, 9_000)).toBe(1_000);
    expect(delayAt(plan, 15_500)).toBe(6_500); // 16 s is within a sixth of its 6 s gap: polled
    expect(delayAt(plan, 14_900)).toBe(1_100);
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
