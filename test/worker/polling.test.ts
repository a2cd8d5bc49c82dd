/**
 * Polls that see the end (issue 19), against the simulator over HTTP on a manual clock: a run of
 * a known latency is polled at most twice and seen within 10 % of its latency; latencies are
 * learned from Runflow's timestamps when duration_ms is null (as the docs allow), or as the
 * bracket our own GETs saw when no timing is sent at all; what was learned is kept in Redis and a
 * new process starts from it.
 */
import { afterEach, describe, expect, it } from "vitest";
import { createKeys } from "../../src/ledger/keys.js";
import { silentLogger } from "../../src/log/logger.js";
import { createRunflowClient } from "../../src/runflow/client.js";
import type { Run, RunflowClient } from "../../src/runflow/types.js";
import { startSimulator, type Simulator, type SimulatorOptions } from "../../src/simulator/index.js";
import { createLatencyBook, type LatencyBook } from "../../src/worker/latency-book.js";
import { COLD_POLL } from "../../src/worker/poll-schedule.js";
import { openRunWaits } from "../../src/worker/run-waits.js";
import { waitForRun, type RunSleep } from "../../src/worker/wait-for-run.js";
import { eventually } from "../helpers/eventually.js";
import { manualClock, type ManualClock } from "../helpers/manual-clock.js";
import { testRedis, type TestRedis } from "../helpers/redis.js";

const MODEL = "openai/gpt-image-2";
const LATENCY = 5_000;

const closers: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const close of closers.splice(0).reverse()) await close();
});

async function setup(options: SimulatorOptions = {}) {
  const clock = manualClock();
  const sim: Simulator = await startSimulator({ clock, latencyMs: LATENCY, seed: 3, ...options });
  const raw = createRunflowClient({ baseUrl: sim.url, apiKey: "rf_test_key", logger: silentLogger() });
  let gets = 0;
  const client: RunflowClient = { ...raw, getRun: (id) => (gets++, raw.getRun(id)) };
  closers.push(
    () => sim.close(),
    () => raw.close(),
  );
  return { clock, client, gets: () => gets };
}

/**
 * Creates a run and waits on it with `book`'s schedule, moving the manual clock to each sleep's
 * end once the wait sleeps (every GET is answered at a standstill: the lag is the schedule's).
 */
async function createAndWait(clock: ManualClock, client: RunflowClient, book: LatencyBook) {
  const created = await client.createRun({
    model: MODEL,
    input: { prompt: "a chair", quality: "low" },
    idempotencyKey: `k-${Math.random()}`,
  });
  const createdAt = clock.now();
  let due: number | null = null;
  const sleep: RunSleep = (_runId, ms) =>
    new Promise((resolve) => {
      due = clock.now() + ms;
      clock.schedule(ms, () => {
        due = null;
        resolve("timer");
      });
    });
  let ended: Run | null = null;
  const waiting = waitForRun(client, created.id, {
    schedule: () => book.schedule(MODEL),
    maxConsecutiveErrors: 3,
    sleep,
    now: clock.now,
    createdAtMs: createdAt,
  }).then((run) => (ended = run));
  for (;;) {
    const next = await eventually(() => (ended ? "ended" : due !== null ? due : false));
    if (next === "ended") break;
    clock.advance(Math.max(0, (next as number) - clock.now()));
  }
  await waiting;
  return { run: ended as unknown as Run, lagMs: clock.now() - (createdAt + LATENCY) };
}

describe("polls that see the end", () => {
  it("a run of a latency known from earlier runs: polled at most twice, seen within 10 %", async () => {
    const { clock, client, gets } = await setup({ omitTiming: ["duration_ms"] });
    const book = createLatencyBook({ now: clock.now });
    book.absorb(
      MODEL,
      Array.from({ length: 64 }, (_, i) => ({ lowMs: 4_900 + i * 3, highMs: 4_900 + i * 3 })),
    );
    const { lagMs } = await createAndWait(clock, client, book);
    expect(gets()).toBeLessThanOrEqual(2);
    expect(lagMs).toBeGreaterThanOrEqual(0);
    expect(lagMs).toBeLessThanOrEqual(0.1 * LATENCY);
  });

  it("knowing nothing, a lone run is seen within 10 % of its latency", async () => {
    const { clock, client, gets } = await setup();
    const book = createLatencyBook({ now: clock.now });
    const { lagMs } = await createAndWait(clock, client, book);
    expect(lagMs).toBeLessThanOrEqual(0.1 * LATENCY);
    // A scout: 2 s, then every tenth of its age.
    expect(gets()).toBeLessThanOrEqual(
      Math.ceil(Math.log(LATENCY / COLD_POLL.initialMs) / Math.log(1.1)) + 2,
    );
  });

  it("learns the latency from created_at/completed_at when duration_ms is null, and records it", async () => {
    const { clock, client } = await setup({ omitTiming: ["duration_ms"] });
    const book = createLatencyBook({ now: clock.now });
    const { run } = await createAndWait(clock, client, book);
    expect(run.durationMs).toBe(LATENCY);
    expect(book.drain().get(MODEL)).toEqual([{ lowMs: LATENCY, highMs: LATENCY }]);
  });

  it("with no timing at all, learns the bracket its GETs saw, and the duration is our clock's", async () => {
    const { clock, client } = await setup({
      omitTiming: ["duration_ms", "created_at", "started_at", "completed_at"],
    });
    const book = createLatencyBook({ now: clock.now });
    const { run, lagMs } = await createAndWait(clock, client, book);
    const [sample] = book.drain().get(MODEL) ?? [];
    expect(sample!.lowMs).toBeLessThan(LATENCY);
    expect(sample!.highMs).toBe(LATENCY + lagMs);
    expect(run.durationMs).toBe(LATENCY + lagMs);
  });
});

describe("learned latencies in Redis", () => {
  let redis: TestRedis | null = null;
  afterEach(async () => {
    await redis?.cleanup();
    redis = null;
  });

  it("survive into a new process: its first run follows the plan, not the cold schedule", async () => {
    redis = await testRedis();
    const keys = createKeys(redis.prefix);
    const open = () =>
      openRunWaits({
        redis: redis!.redis,
        keys,
        logger: silentLogger(),
        signal: new AbortController().signal,
        bindingId: "binding-1",
        onFatal: (error) => {
          throw error;
        },
      });
    const first = open();
    for (let i = 0; i < 32; i += 1)
      first.poll(MODEL).track!(0).ended({ lowMs: 9_800 + i * 10, highMs: 9_800 + i * 10 });
    await first.close(); // hands them to Redis
    expect(await redis.redis.llen(keys.latencies("binding-1", MODEL))).toBe(32);

    // Another binding (another account or endpoint) knows nothing. Opened first, its load is
    // answered before the second process's (one connection, answers in order).
    const other = openRunWaits({
      redis: redis.redis,
      keys,
      logger: silentLogger(),
      signal: new AbortController().signal,
      bindingId: "binding-2",
      onFatal: () => undefined,
    });
    closers.push(() => other.close());
    const second = open();
    closers.push(() => second.close());
    const plan = await eventually(() => second.poll(MODEL).times);
    expect(plan[0]).toBeGreaterThan(9_500);
    expect(second.poll(MODEL).initialMs).not.toBe(COLD_POLL.initialMs);
    expect(other.poll(MODEL).initialMs).toBe(COLD_POLL.initialMs);
  });
});
