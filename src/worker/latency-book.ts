/**
 * The latencies this worker has seen per model (the last 256 runs of each, from Runflow's own
 * duration_ms), and the poll schedule they teach: learnedSchedule once enough have been seen,
 * recomputed every 16 new runs, else the given fallback. In memory; pure apart from its state.
 */
import type { ModelId } from "../core/models.js";
import { learnedSchedule, type PollSchedule } from "./poll-schedule.js";

const KEEP = 256;
const RELEARN_EVERY = 16;

export interface LatencyBook {
  observe(model: ModelId, durationMs: number | null): void;
  schedule(model: ModelId, fallback: () => PollSchedule): PollSchedule;
}

export function createLatencyBook(): LatencyBook {
  const seen = new Map<
    ModelId,
    { latencies: number[]; next: number; since: number; learned: PollSchedule | null }
  >();
  return {
    observe(model, durationMs) {
      if (durationMs === null || !Number.isFinite(durationMs) || durationMs < 0) return;
      let entry = seen.get(model);
      if (!entry) seen.set(model, (entry = { latencies: [], next: 0, since: 0, learned: null }));
      if (entry.latencies.length < KEEP) entry.latencies.push(durationMs);
      else entry.latencies[entry.next] = durationMs;
      entry.next = (entry.next + 1) % KEEP;
      entry.since += 1;
      if (entry.learned === null || entry.since >= RELEARN_EVERY) {
        const learned = learnedSchedule(entry.latencies);
        if (learned) {
          entry.learned = learned;
          entry.since = 0;
        }
      }
    },
    schedule(model, fallback) {
      return seen.get(model)?.learned ?? fallback();
    },
  };
}
