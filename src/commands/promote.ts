/**
 * `promote DRAFT_BATCH --out DIR`: a final batch in DIR made from the images picked in a draft
 * batch (issue 21) — edits at the final quality with the picked image as reference, or fresh
 * samples — opened, worked and reported like `run`: the plan line, the saving against having run
 * every draft image at the final quality, the money pre-flight and cap, then the reports. Its
 * rows come from the draft's ledger (batch/promote/draft-picks.ts); promoting again brings DIR up
 * to date (new picks run, unpicked ones are listed removed, nothing is paid twice). At the end the
 * draft's report is written again, showing which picks have finals.
 */
import path from "node:path";
import { UsageError } from "../core/errors.js";
import type { ExitCode } from "../core/exit-codes.js";
import type { Quality, ModelId } from "../core/models.js";
import { describeBinding, sameBinding, SIMULATOR_ENDPOINT } from "../ledger/binding.js";
import type { BatchRecord } from "../ledger/batch-record.js";
import { createFinalsStore } from "../ledger/finals.js";
import { planLine } from "../ledger/plan.js";
import { createPicksStore } from "../ledger/picks.js";
import type { Queues } from "../queue/queues.js";
import type { CommandContext } from "./context.js";
import { dryRun } from "../batch/open/dry-run-plan.js";
import { openBatch } from "../batch/open/open-batch.js";
import { findBatch } from "../batch/picks/find-batch.js";
import { importPicks } from "../batch/picks/import-picks.js";
import { draftCost, promoteRows, type PromoteRows } from "../batch/promote/draft-picks.js";
import type { FinalOptions, PromoteAs } from "../batch/promote/final-rows.js";
import { savingLine } from "../batch/promote/saving.js";
import { workAndReport } from "../batch/run/work-and-report.js";
import { writeReports } from "../batch/end/write-reports.js";
import type { BatchSettings, WorkerSettings } from "../batch/settings.js";
import { bindingOf, clientFor, openQueueDeps, type QueueDeps } from "../runtime/deps.js";

export interface PromoteSettings extends Omit<BatchSettings, "source" | "rows"> {
  /** The draft batch: its id or its directory. */
  readonly draft: string;
  readonly out: string;
  /** A picks file that becomes the draft's picks first (`--picks`: replaces the stored picks). */
  readonly picksFile: string | undefined;
  readonly quality: Quality;
  readonly model: ModelId | undefined;
  readonly as: PromoteAs;
  readonly instruction: string;
  /** Only say what promoting would do: nothing is written or paid. */
  readonly dryRun: boolean;
  readonly work: WorkerSettings;
}

/** The draft, checked to be one this process can read runs of (its endpoint and account). */
async function draftOf(deps: QueueDeps, settings: PromoteSettings): Promise<BatchRecord> {
  const draft = await findBatch(deps.ledger.batches, settings.draft);
  const bound = draft.submission.binding;
  if (bound.endpoint === SIMULATOR_ENDPOINT)
    throw new UsageError(
      `batch ${draft.id} is a rehearsal (--simulate): its runs exist only in its own simulator, so nothing ` +
        "can be promoted from it. Run the drafts against Runflow, or `runflow-batch simulator` with " +
        "RUNFLOW_BASE_URL pointing at it, then promote.",
    );
  if (!sameBinding(bound, bindingOf(deps.config, false)))
    throw new UsageError(
      `batch ${draft.id} was made for ${describeBinding(bound)}: its finals read its runs there. ` +
        "Use the draft's RUNFLOW_BASE_URL and RUNFLOW_API_KEY.",
    );
  return draft;
}

/** The draft's picks, after `--picks FILE` replaced them; refused when none is picked. */
async function picksOf(ctx: CommandContext, deps: QueueDeps, draft: BatchRecord, file: string | undefined) {
  if (file !== undefined) {
    const store = { redis: deps.redis, keys: deps.keys, results: deps.ledger.results };
    const done = await importPicks(store, draft.id, file, "replace");
    ctx.io.stderr.write(
      `Batch ${draft.id}'s picks now are ${file}'s: ${done.picked} picked, ${done.rejected} rejected.\n`,
    );
  }
  const picks = await createPicksStore(deps.redis, deps.keys).list(draft.id);
  if (!picks.some((p) => p.pick === "pick"))
    throw new UsageError(
      `batch ${draft.id} has no picked images: pick some in its report.html (then --picks picks.csv) ` +
        `or on the dashboard, or import them with \`runflow-batch picks ${draft.id} --import FILE\``,
    );
  return picks;
}

/** The saving line's sentence for `finals` finals estimated at `finalsMicros`. */
type Saying = (finals: number, finalsMicros: number) => string;

/** Opens the final batch, records the draft's finals, works and reports it; the exit code. */
async function workFinals(
  ctx: CommandContext,
  deps: QueueDeps,
  o: { settings: PromoteSettings; draft: BatchRecord; rows: PromoteRows; saving: Saying },
): Promise<ExitCode> {
  const { settings, draft, rows } = o;
  const binding = bindingOf(deps.config, false);
  const { concurrency, maxRps } = settings.work;
  const client = clientFor(deps, null, {
    maxRps: maxRps ?? undefined,
    concurrency: concurrency.generate + concurrency.edit,
  });
  let queues: Queues | null = null;
  try {
    const batch: BatchSettings = { ...settings, source: rows.source.source, rows: rows.source };
    const { out } = settings;
    const opened = await deps.guard(
      openBatch({
        ...deps,
        client,
        binding,
        settings: batch,
        out,
        stderr: ctx.io.stderr,
        signal: ctx.io.signal,
      }),
    );
    const { record } = opened;
    queues = opened.queues;
    // The draft's record of its finals: its report shows which picks have one.
    const finals = rows.finals().map((f) => ({ ...f, finalBatch: record.id }));
    await createFinalsStore(deps.redis, deps.keys).replaceFrom(draft.id, record.id, finals);
    ctx.io.stderr.write(o.saving(record.submission.rows, record.submission.estimate.micros) + "\n");
    const again = "run the same promote command again";
    const work = settings.work;
    const code = await workAndReport(ctx.io, {
      deps,
      client,
      binding,
      record,
      work,
      poll: undefined,
      again,
    });
    await writeReports(deps, draft.id, draft.submission.out).catch((error: unknown) => {
      const why = error instanceof Error ? error.message : String(error);
      ctx.io.stderr.write(
        `Could not write the draft's report again (${why}); \`report ${draft.id}\` does.\n`,
      );
    });
    return code;
  } finally {
    await client.close();
    await queues?.close();
  }
}

export async function promote(ctx: CommandContext, settings: PromoteSettings): Promise<void> {
  const deps = await openQueueDeps(ctx.io, { redisTimeoutMs: settings.redisTimeoutMs });
  try {
    const draft = await draftOf(deps, settings);
    if (path.resolve(settings.out) === draft.submission.out)
      throw new UsageError(
        `${settings.out} is the draft batch's own directory: the finals need a directory of their own ` +
          `(e.g. --out ${path.join(path.dirname(draft.submission.out), "finals")})`,
      );
    const picks = await picksOf(ctx, deps, draft, settings.picksFile);
    const options: FinalOptions = {
      draftBatch: draft.id,
      quality: settings.quality,
      model: settings.model,
      as: settings.as,
      instruction: settings.instruction,
    };
    const rows = promoteRows(deps.ledger, draft, picks, options);
    const cost = await draftCost(deps.ledger, draft, settings.quality, settings.prices);
    const saving: Saying = (finals, finalsMicros) =>
      savingLine({
        draftImages: cost.images,
        draftSpentMicros: cost.spentMicros,
        finals,
        finalsMicros,
        quality: settings.quality,
        allAtFinalMicros: cost.allAtFinalMicros,
      });
    if (settings.dryRun) {
      const { scan, plan } = await dryRun(ctx.io, {
        out: settings.out,
        source: rows.source,
        prices: settings.prices,
      });
      if (plan) ctx.io.stdout.write(`Plan: ${planLine(settings.out, plan)}\n`);
      ctx.io.stdout.write(saving(scan.validRows, scan.cost.estimatedMicros) + "\n");
      return;
    }
    ctx.setExitCode(await workFinals(ctx, deps, { settings, draft, rows, saving }));
  } finally {
    await deps.close();
  }
}
