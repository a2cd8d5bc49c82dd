/**
 * The latencies of a model's ended runs on one binding, kept in Redis (keys.latencies): what
 * every process and every earlier batch saw, so a new batch of a known model starts from a plan
 * instead of the cold schedule. A list, newest last, of the last KEEP entries, "ms" (exact) or
 * "low-high" (a bracket); it expires 30 days after its last write.
 */
import type { Redis } from "ioredis";
import type { ModelId } from "../core/models.js";
import { KEEP } from "./latency-book.js";
import type { LatencySample } from "./poll-plan.js";

const TTL_MS = 30 * 24 * 3_600_000;

export interface LatencyStore {
  /** What is stored for each of these models (models with nothing stored are left out). */
  load(models: readonly ModelId[]): Promise<Map<ModelId, LatencySample[]>>;
  /** Adds these (newest last) and answers what is stored now, every process's. */
  exchange(model: ModelId, samples: readonly LatencySample[]): Promise<LatencySample[]>;
}

function encodeSample(s: LatencySample): string {
  const low = Math.round(s.lowMs);
  const high = Math.round(s.highMs);
  return low === high ? String(low) : `${low}-${high}`;
}

/** Null for an entry that is not one (an older or foreign format): it is skipped. */
function decodeSample(text: string): LatencySample | null {
  const match = /^(\d+)(?:-(\d+))?$/.exec(text);
  if (!match) return null;
  const low = Number(match[1]);
  const high = match[2] === undefined ? low : Number(match[2]);
  return high >= low ? { lowMs: low, highMs: high } : null;
}

const decodeAll = (entries: readonly string[]): LatencySample[] =>
  entries.flatMap((entry) => decodeSample(entry) ?? []);

export function createLatencyStore(redis: Redis, keyOf: (model: ModelId) => string): LatencyStore {
  return {
    async load(models) {
      const pipeline = redis.pipeline();
      for (const model of models) pipeline.lrange(keyOf(model), 0, -1);
      const answers = (await pipeline.exec()) ?? [];
      const stored = new Map<ModelId, LatencySample[]>();
      models.forEach((model, i) => {
        const [error, entries] = answers[i] ?? [null, []];
        if (error) throw error;
        const samples = decodeAll(entries as string[]);
        if (samples.length > 0) stored.set(model, samples);
      });
      return stored;
    },
    async exchange(model, samples) {
      const key = keyOf(model);
      const answers = await redis
        .multi()
        .rpush(key, ...samples.map(encodeSample))
        .ltrim(key, -KEEP, -1)
        .pexpire(key, TTL_MS)
        .lrange(key, 0, -1)
        .exec();
      const failed = answers?.find(([error]) => error);
      if (!answers || failed) throw failed?.[0] ?? new Error("the latency list transaction was discarded");
      return decodeAll(answers[3]?.[1] as string[]);
    },
  };
}
