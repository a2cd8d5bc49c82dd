/**
 * A batch's budget history: a short Redis list (oldest first) under the batch's key prefix of the
 * cap set when the batch was created, each change (`budget`, or `run` again with another
 * --max-cost), and the cap stopping the batch. The reports show it; nothing decides by it. Each
 * entry is read through its schema: one that does not read is exit 4, like the batch's record.
 */
import type { Redis } from "ioredis";
import { z } from "zod";
import { issuesText, UnreadableLedgerEntryError } from "./errors.js";
import type { Keys } from "./keys.js";

const micros = z.number().int().nonnegative();

const budgetEventSchema = z.object({
  at: z.string(),
  kind: z.enum(["created", "changed", "stopped"]),
  /** The cap after the event, in micro-dollars; null = no cap. */
  cap_micros: micros.nullable(),
  /** For "changed": the cap before. */
  previous_cap_micros: micros.nullable().exactOptional(),
  /** What the batch had spent at that moment. */
  spent_micros: micros.exactOptional(),
});

export type BudgetEvent = z.infer<typeof budgetEventSchema>;

export interface BudgetHistory {
  append(batchId: string, event: BudgetEvent): Promise<void>;
  read(batchId: string): Promise<BudgetEvent[]>;
}

/** Entries kept per batch: the newest ones. */
const BUDGET_HISTORY_LIMIT = 200;

/** One entry of the list; an entry that does not read as an event is exit 4, naming the batch and entry. */
function parse(batchId: string, index: number, json: string): BudgetEvent {
  let value: unknown;
  try {
    value = JSON.parse(json);
  } catch {
    throw new UnreadableLedgerEntryError(
      `entry ${index + 1} of batch ${batchId}'s budget history`,
      "not JSON",
    );
  }
  const parsed = budgetEventSchema.safeParse(value);
  if (!parsed.success)
    throw new UnreadableLedgerEntryError(
      `entry ${index + 1} of batch ${batchId}'s budget history`,
      issuesText(parsed.error, "event"),
    );
  return parsed.data;
}

export function createBudgetHistory(redis: Redis, keys: Keys): BudgetHistory {
  return {
    async append(batchId, event) {
      const key = keys.budgetHistory(batchId);
      await redis.multi().rpush(key, JSON.stringify(event)).ltrim(key, -BUDGET_HISTORY_LIMIT, -1).exec();
    },
    async read(batchId) {
      const entries = await redis.lrange(keys.budgetHistory(batchId), 0, -1);
      return entries.map((json, index) => parse(batchId, index, json));
    },
  };
}
