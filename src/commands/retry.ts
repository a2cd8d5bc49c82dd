/**
 * `retry BATCH`: run rows of a batch again as new attempts — its failed rows, the rows named, or
 * all of them (fresh variations of the same prompts) — with the batch's cap, a plan line, and its
 * reports at the end. Works on any batch (run's or submit's), in this process; a rehearsal's
 * batch is retried against the built-in simulator again.
 */
import { readFile } from "node:fs/promises";
import { UsageError } from "../core/errors.js";
import { formatUsd } from "../core/money.js";
import { describeBinding, SIMULATOR_ENDPOINT, sameBinding } from "../ledger/binding.js";
import type { BatchRecord } from "../ledger/batch-record.js";
import type { Ledger } from "../ledger/ledger.js";
import type { Simulator } from "../simulator/index.js";
import type { CommandContext } from "./context.js";
import { bindingOf, clientFor, openQueueDeps } from "../runtime/deps.js";
import { simulatorPoll, startRehearsal } from "../batch/run/rehearsal.js";
import { workAndReport } from "../batch/run/work-and-report.js";
import type { WorkerSettings } from "../batch/settings.js";

export type RetrySelection =
  | { readonly kind: "failed" }
  | { readonly kind: "all" }
  | { readonly kind: "ids"; readonly ids: readonly string[] }
  | { readonly kind: "ids-file"; readonly file: string };

export interface RetrySettings {
  readonly batchId: string;
  readonly select: RetrySelection;
  readonly work: WorkerSettings;
  /** A rehearsal's simulated latency and fail rate. */
  readonly simulate: { readonly latencyMs: number | { min: number; max: number }; readonly failRate: number };
}

async function idsOf(select: RetrySelection): Promise<readonly string[] | null> {
  if (select.kind === "ids") return select.ids;
  if (select.kind !== "ids-file") return null;
  const text = await readFile(select.file, "utf8").catch((error: NodeJS.ErrnoException) => {
    throw new UsageError(`--ids-file ${select.file}: cannot be read (${error.code ?? String(error)})`, {
      cause: error,
    });
  });
  return text
    .split(/\r?\n/)
    .map((line) => line.trim())
    .filter((line) => line !== "" && !line.startsWith("#"));
}

/** The recorded rows the selection names, and what they are estimated to cost again. */
async function selectRows(ledger: Ledger, record: BatchRecord, select: RetrySelection) {
  const rows: string[] = [];
  let micros = 0;
  const named = await idsOf(select);
  if (named !== null) {
    const results = await ledger.results.results(record.id, named);
    const unknown = named.filter((_, i) => results[i] === null);
    if (unknown.length > 0) {
      const list = unknown
        .slice(0, 5)
        .map((id) => JSON.stringify(id))
        .join(", ");
      const more = unknown.length > 5 ? ` and ${unknown.length - 5} more` : "";
      throw new UsageError(
        `batch ${record.id} has no recorded row ${list}${more}; check the ids in results.csv`,
      );
    }
    results.forEach((r) => (micros += r?.estimated_micros ?? 0));
    return { rows: [...named], micros };
  }
  for await (const result of ledger.results.scanResults(record.id)) {
    if (select.kind === "all" || result.status === "failed") {
      rows.push(result.id);
      micros += result.estimated_micros;
    }
  }
  return { rows, micros };
}

export async function retry(ctx: CommandContext, settings: RetrySettings): Promise<void> {
  const deps = await openQueueDeps(ctx.io);
  let simulator: Simulator | null = null;
  try {
    const record = await deps.ledger.batches.get(settings.batchId);
    if (!record)
      throw new UsageError(
        `no batch "${settings.batchId}" in Redis; list batches with \`runflow-batch status\``,
      );
    const { manifest, out, binding: bound } = record.submission;
    // The rows are read from the batch's row store, never from the manifest again.
    if ((await deps.ledger.rowStore.count(record.id)) === 0) {
      throw new UsageError(
        `batch ${record.id} keeps no rows in Redis (it was submitted by an earlier version of runflow-batch); ` +
          `bring the directory up to date with \`runflow-batch run ${manifest.path} --out ${out}\` instead`,
      );
    }
    const rehearsal = bound.endpoint === SIMULATOR_ENDPOINT;
    const binding = bindingOf(deps.config, rehearsal);
    if (!sameBinding(bound, binding)) {
      throw new UsageError(
        `batch ${record.id} was made for ${describeBinding(bound)}; this command is for ${describeBinding(binding)}`,
      );
    }
    // An S3 prefix is probed before anything is paid (a local directory is written as it always was).
    const dir = deps.stores.open(out);
    if (dir.kind === "s3") await dir.probe();
    const { rows, micros } = await selectRows(deps.ledger, record, settings.select);
    const runs = `${rows.length} run${rows.length === 1 ? "" : "s"}`;
    ctx.io.stderr.write(
      `${out}: ${rows.length.toLocaleString("en-US")} to retry → ${runs}, ~$${formatUsd(micros)}\n`,
    );
    if (rehearsal)
      simulator = await startRehearsal({ outDir: out, ...settings.simulate, logger: deps.logger });
    const { maxRps, concurrency } = settings.work;
    const client = clientFor(deps, simulator, {
      maxRps: maxRps ?? undefined,
      concurrency: concurrency.generate + concurrency.edit,
    });
    try {
      for (let i = 0; i < rows.length; i += 500)
        await deps.ledger.rows.reopen(record.id, rows.slice(i, i + 500), "again");
      await deps.ledger.batches.resetFeed(record.id); // the reopened rows are queued again
      const code = await workAndReport(ctx.io, {
        deps,
        client,
        binding,
        record,
        work: settings.work,
        poll: simulator ? simulatorPoll(settings.simulate.latencyMs) : undefined,
        again: `run \`runflow-batch run ${manifest.path} --out ${out}\``,
      });
      ctx.setExitCode(code);
    } finally {
      await client.close();
    }
  } finally {
    await simulator?.close();
    await deps.close();
  }
}
