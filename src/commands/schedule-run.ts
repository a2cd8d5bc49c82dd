/**
 * `schedule run NAME`: start an occurrence of a synced schedule now, by the same rules as a
 * fired one — its own batch (named from the schedule and this minute, or second), the overlap
 * rule, once only — and print its batch id. `serve` and `worker` processes of this endpoint and
 * account work its rows. With `overlap: queue` behind a running occurrence it waits, and a
 * `serve` process starts it when its turn comes.
 */
import { UsageError } from "../core/errors.js";
import { manualDueMs } from "../schedule/occurrence.js";
import { createOccurrenceRunner } from "../schedule/occurrence-runner.js";
import { createOccurrenceStore } from "../schedule/occurrence-store.js";
import { createScheduleQueue } from "../schedule/scheduler.js";
import type { CommandContext } from "./context.js";
import { bindingOf, openQueueDeps, runflowClientFor } from "../runtime/deps.js";
import { definiteStartError, occurrenceStarter } from "../schedule/start-occurrence.js";

export interface ScheduleRunSettings {
  readonly name: string;
}

export async function scheduleRun(ctx: CommandContext, settings: ScheduleRunSettings): Promise<void> {
  const deps = await openQueueDeps(ctx.io);
  const queue = createScheduleQueue(deps.redis, deps.keys);
  try {
    const installed = await queue.get(settings.name);
    if (!installed?.data) {
      const names = (await queue.installed()).map((s) => s.name).sort();
      const known = names.length > 0 ? `; Redis holds: ${names.join(", ")}` : "; Redis holds none";
      throw new UsageError(
        `no schedule ${JSON.stringify(settings.name)} in Redis${known}. ` +
          "Run `runflow-batch schedule sync DIR` first (serve does it at start).",
      );
    }
    const { schedule } = installed.data;
    const binding = bindingOf(deps.config, false);
    const client = runflowClientFor(deps.config, deps.logger, undefined, undefined, deps);
    try {
      const runner = createOccurrenceRunner({
        store: createOccurrenceStore(deps.redis, deps.keys),
        batches: deps.ledger.batches,
        start: occurrenceStarter({ ...deps, client, binding, stderr: ctx.io.stderr, env: ctx.io.env }),
        isDefinite: definiteStartError,
        logger: deps.logger,
      });
      const handled = await runner.handle(schedule, manualDueMs(Date.now(), schedule.seconds), {
        manual: true,
        finalAttempt: true,
      });
      const { decision, batchId, key } = handled;
      const said = `Schedule ${schedule.name}: occurrence ${key}`;
      if (handled.failure !== undefined) throw handled.failure;
      if (decision.kind === "start" || decision.kind === "resume") {
        const what = handled.started
          ? `${handled.started.enqueued} rows queued, ${handled.started.alreadyDone} already done`
          : "it was started before; nothing more to queue";
        ctx.io.stderr.write(
          `${said} is batch ${batchId} (${what}). serve and worker processes work its rows; ` +
            `follow with \`runflow-batch status ${batchId}\`.\n`,
        );
        ctx.io.stdout.write(batchId + "\n");
      } else if (decision.kind === "wait") {
        ctx.io.stderr.write(`${said} ${decision.reason}; a serve process starts it then.\n`);
      } else if (decision.kind === "settled") {
        ctx.io.stderr.write(
          `${said} was decided before; see \`runflow-batch schedule history ${schedule.name}\`.\n`,
        );
      } else {
        ctx.io.stderr.write(
          `${said} ${decision.kind === "skip" ? "skipped" : "missed"}: ${decision.reason}.\n`,
        );
      }
    } finally {
      await client.close();
    }
  } finally {
    await queue.close();
    await deps.close();
  }
}
