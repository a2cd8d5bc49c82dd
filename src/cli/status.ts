/** `runflow-batch status [BATCH]`: recent batches, or one batch's progress and money. */
import type { Command } from "commander";
import { setTimeout as sleep } from "node:timers/promises";
import { UsageError } from "../core/errors.js";
import { batchStatus, renderBatchLine, renderStatus } from "../report/status-view.js";
import type { CliContext } from "./context.js";
import { loadQueueKit } from "./load-queue-kit.js";

interface StatusFlags {
  format: string;
  watch?: boolean;
  limit: string;
}

export function registerStatus(program: Command, ctx: CliContext): void {
  program
    .command("status")
      .summary("recent batches, or one batch's progress and money")
    .description("Without a batch: recent batches, one line each. With one: rows by state, images, estimated vs spent vs reserved per model × tier, pace and ETA.")
    .argument("[batch]", "batch id")
    .option("--format <format>", "table or json", "table")
    .option("--watch", "refresh every 2 seconds until interrupted")
    .option("--limit <n>", "how many recent batches to list", "20")
    .addHelpText("after", "\nExamples:\n  runflow-batch status\n  runflow-batch status b-1a2b3c4d5e6f --watch\n  runflow-batch status b-1a2b3c4d5e6f --format json | jq .money")
    .action(async (batchId: string | undefined, flags: StatusFlags) => {
      if (flags.format !== "table" && flags.format !== "json") throw new UsageError(`--format must be table or json, got ${JSON.stringify(flags.format)}`);
      const { openQueueDeps } = await loadQueueKit();
      if (flags.watch) ctx.handlesStop();
      const deps = await openQueueDeps(ctx.io);
      try {
        for (;;) {
          const text = batchId ? await one(batchId) : await recent();
          if (flags.watch && ctx.io.stdout.isTTY) ctx.io.stdout.write("\x1b[2J\x1b[H");
          ctx.io.stdout.write(text);
          if (!flags.watch || ctx.io.signal?.aborted) break;
          await sleep(2_000, undefined, ctx.io.signal ? { signal: ctx.io.signal } : undefined).catch(() => undefined);
          if (ctx.io.signal?.aborted) break;
        }
      } finally {
        await deps.close();
      }

      async function one(id: string): Promise<string> {
        const record = await deps.store.get(id);
        if (!record) throw new UsageError(`no batch "${id}" in Redis at this REDIS_URL; list batches with \`runflow-batch status\``);
        const status = batchStatus(record, await deps.store.tierCounters(id), new Date());
        return flags.format === "json" ? JSON.stringify(status, null, 2) + "\n" : renderStatus(status);
      }
      async function recent(): Promise<string> {
        const records = await deps.store.list(Number(flags.limit) || 20);
        if (flags.format === "json") return JSON.stringify(records.map((r) => batchStatus(r, {}, new Date())), null, 2) + "\n";
        if (records.length === 0) return "no batches yet; start one with `runflow-batch run <manifest> --out DIR`\n";
        return records.map(renderBatchLine).join("");
      }
    });
}
