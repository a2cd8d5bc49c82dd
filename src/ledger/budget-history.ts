/**
 * A batch's budget history: a short Redis list (oldest first) under the batch's key prefix of the
 * cap set when the batch was created, each change (`budget`, or `run` again with another
 * --max-cost), and the cap stopping the batch. The reports show it; nothing decides by it.
 */
import type { Redis } from "ioredis";
import type { Keys } from "./keys.js";

type BudgetEventKind = "created" | "changed" | "stopped";

export interface BudgetEvent {
  readonly at: string;
  readonly kind: BudgetEventKind;
  /** The cap after the event, in micro-dollars; null = no cap. */
  readonly cap_micros: number | null;
  /** For "changed": the cap before. */
  readonly previous_cap_micros?: number | null;
  /** What the batch had spent at that moment. */
  readonly spent_micros?: number;
}

export interface BudgetHistory {
  append(batchId: string, event: BudgetEvent): Promise<void>;
  read(batchId: string): Promise<BudgetEvent[]>;
}

/** Entries kept per batch: the newest ones. */
const BUDGET_HISTORY_LIMIT = 200;

function parse(json: string): BudgetEvent | null {
  try {
    const value = JSON.parse(json) as Partial<BudgetEvent>;
    if (typeof value.at !== "string" || typeof value.kind !== "string") return null;
    return value as BudgetEvent;
  } catch {
    return null;
  }
}

export function createBudgetHistory(redis: Redis, keys: Keys): BudgetHistory {
  return {
    async append(batchId, event) {
      const key = keys.budgetHistory(batchId);
      await redis.multi().rpush(key, JSON.stringify(event)).ltrim(key, -BUDGET_HISTORY_LIMIT, -1).exec();
    },
    async read(batchId) {
      const entries = await redis.lrange(keys.budgetHistory(batchId), 0, -1);
      return entries.map(parse).filter((event): event is BudgetEvent => event !== null);
    },
  };
}
