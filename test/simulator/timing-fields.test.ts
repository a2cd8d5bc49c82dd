/**
 * The simulator can leave a run's timing fields null, as Runflow's docs allow ("all may be
 * null"), so the client is tested against both kinds of answers: duration_ms alone, or all four.
 */
import { describe, expect, it } from "vitest";
import { simulatorOptionsFromFlags } from "../../src/cli/simulator.js";
import { manualClock } from "../helpers/manual-clock.js";
import { createRun, getRun, withSimulator } from "../helpers/simulator-http.js";

const body = { input: { prompt: "a chair", quality: "low" } };

describe("simulator timing fields", () => {
  it("sends duration_ms, created_at, started_at and completed_at by default", async () => {
    const clock = manualClock();
    const sim = await withSimulator({ clock, latencyMs: 5_000 });
    const { json } = await createRun(sim, "openai/gpt-image-2", body);
    clock.advance(5_000);
    expect((await getRun(sim, json.id as string)).json).toMatchObject({
      duration_ms: 5_000,
      created_at: "2026-05-06T10:00:00.000+00:00",
      completed_at: "2026-05-06T10:00:05.000+00:00",
    });
  });

  it("omits duration_ms (null) but keeps the timestamps, or omits them all", async () => {
    const clock = manualClock();
    const sim = await withSimulator({ clock, latencyMs: 5_000, omitTiming: ["duration_ms"] });
    const { json } = await createRun(sim, "openai/gpt-image-2", body);
    clock.advance(5_000);
    const ended = (await getRun(sim, json.id as string)).json;
    expect(ended).toMatchObject({ status_code: "succeeded", duration_ms: null });
    expect(ended.completed_at).toBe("2026-05-06T10:00:05.000+00:00");
    sim.configure({ omitTiming: ["duration_ms", "created_at", "started_at", "completed_at"] });
    expect((await getRun(sim, json.id as string)).json).toMatchObject({
      duration_ms: null,
      created_at: null,
      started_at: null,
      completed_at: null,
    });
    // The ledger still knows when the run ended (benches measure the lag against it).
    expect(sim.ledger().runs[0]?.endsAt).toBe("2026-05-06T10:00:05.000Z");
  });

  it("--omit-timing takes 'all' or a list of the four fields, and says what it expected otherwise", () => {
    const flags = { port: "0", host: "127.0.0.1", apiKey: [] };
    expect(simulatorOptionsFromFlags({ ...flags, omitTiming: "duration_ms" }, null).omitTiming).toEqual([
      "duration_ms",
    ]);
    expect(simulatorOptionsFromFlags({ ...flags, omitTiming: "all" }, null).omitTiming).toHaveLength(4);
    expect(() => simulatorOptionsFromFlags({ ...flags, omitTiming: "duration" }, null)).toThrow(
      /--omit-timing takes "all" or a comma-separated list of duration_ms, created_at/,
    );
  });
});
