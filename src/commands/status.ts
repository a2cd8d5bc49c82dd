/**
 * `status`: recent batches, one line each, or one batch's progress and money; `watch` redraws
 * every 2 s, and with a batch it ends by itself when the batch ends, with the batch's exit code
 * (0 done, 1 failed rows, 3 budget cap, 5 canceled).
 */
import { setTimeout as sleep } from "node:timers/promises";
import { UsageError } from "../core/errors.js";
import { batchStatus, renderBatchTable, renderStatus } from "../report/status-view.js";
import { waitingFor } from "../report/waiting-for.js";
import type { CommandContext } from "./context.js";
import { FINAL_STATES, type FinalState } from "../ledger/batch-record.js";
import { openQueueDeps } from "../runtime/deps.js";
import { waitFactsReader, type WaitFactsReader } from "../batch/status-facts.js";
import { OUTCOME_EXIT } from "../batch/run/work-and-report.js";
import type { RedisPatience } from "../batch/settings.js";

export interface StatusSettings extends RedisPatience {
  readonly batchId: string | undefined;
  readonly format: "table" | "json";
  readonly watch: boolean;
  readonly limit: number;
}

export async function status(ctx: CommandContext, settings: StatusSettings): Promise<void> {
  const deps = await openQueueDeps(ctx.io, { redisTimeoutMs: settings.redisTimeoutMs });
  const { signal } = ctx.io;
  /** Set once the watched batch has ended: how. */
  let ended: FinalState | null = null;
  const facts: WaitFactsReader | null = settings.batchId ? waitFactsReader(deps, settings.batchId) : null;

  async function one(id: string): Promise<string> {
    const record = await deps.ledger.batches.get(id);
    if (!record)
      throw new UsageError(
        `no batch "${id}" in Redis at this REDIS_URL; list batches with \`runflow-batch status\``,
      );
    if (record.endedAt !== null) ended = FINAL_STATES.find((state) => state === record.state) ?? null;
    const known = await facts!.read(record);
    const view = batchStatus(record, await deps.ledger.results.tierCounters(id), new Date(), {
      waitingFor: waitingFor(record, known),
      orphaned: known.orphaned,
    });
    return settings.format === "json" ? JSON.stringify(view, null, 2) + "\n" : renderStatus(view);
  }

  async function recent(): Promise<string> {
    const records = await deps.ledger.batches.list(settings.limit);
    if (settings.format === "json")
      return (
        JSON.stringify(
          records.map((r) => batchStatus(r, {}, new Date())),
          null,
          2,
        ) + "\n"
      );
    if (records.length === 0)
      return "no batches yet; start one with `runflow-batch run <manifest> --out DIR`\n";
    return renderBatchTable(records, { cwd: process.cwd() });
  }

  try {
    for (;;) {
      const text = await deps.guard(settings.batchId ? one(settings.batchId) : recent());
      if (settings.watch && ctx.io.stdout.isTTY) ctx.io.stdout.write("\x1b[2J\x1b[H");
      ctx.io.stdout.write(text);
      if (settings.watch && ended !== null) {
        ctx.setExitCode(OUTCOME_EXIT[ended]); // the batch has ended: so does watching it
        break;
      }
      if (!settings.watch || signal?.aborted) break;
      await sleep(2_000, undefined, signal ? { signal } : undefined).catch(() => undefined);
      if (signal?.aborted) break;
    }
  } finally {
    await facts?.close();
    await deps.close();
  }
}
